"""Every change to an inquiry, one function per state change, by topic: import from the submodules."""
