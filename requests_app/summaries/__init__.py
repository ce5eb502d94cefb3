"""Figures about inquiries for the summary dashboard, the weekly digest, the UNECE report and the open statistics.

periods.py says which days a figure covers (in Europe/Oslo time); aggregates.py holds the database aggregates
that more than one of them reads. Every figure is a bounded number of queries, whatever the number of inquiries.
"""
