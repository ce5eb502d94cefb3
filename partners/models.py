"""External organisations and their contacts, the municipality's units, and the portal's users."""

import datetime
import hashlib
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from stdnum.no import orgnr

from partners.counties import county_of


class Role(models.TextChoices):
    """Staff roles, kept as auth groups so the admin can manage them. Unit members are those in a unit."""

    SECRETARIAT = "Secretariat", _("Secretariat")
    EXECUTIVE = "Executive", _("Chief municipal executive")
    ADMIN = "Admin", _("Administrator")


class UserManager(BaseUserManager["User"]):
    """Users log in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who logs in: municipal staff, or (later) a partner with an account."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="nb"
    )

    # A deleted partner account keeps its row (inquiries and events point to it) with an address at this reserved
    # domain (RFC 2606), unique per account; nothing is ever delivered there.
    DELETED_EMAIL_DOMAIN = "deleted.invalid"

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The names of this user's role groups (one query, cached on the instance for the request)."""
        if not self.pk:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    @cached_property
    def unit_ids(self) -> frozenset[int]:
        """The municipal units this user is a member of."""
        if not self.pk:
            return frozenset()
        return frozenset(self.units.values_list("pk", flat=True))

    @property
    def is_secretariat(self) -> bool:
        return Role.SECRETARIAT in self.role_names

    @property
    def is_executive(self) -> bool:
        return Role.EXECUTIVE in self.role_names

    @property
    def is_portal_admin(self) -> bool:
        return self.is_superuser or Role.ADMIN in self.role_names

    @property
    def is_unit_member(self) -> bool:
        return bool(self.unit_ids)

    @property
    def sees_all_inquiries(self) -> bool:
        """Secretariat, executive and administrators see every inquiry; unit members only their units'."""
        return self.is_active and (self.is_secretariat or self.is_executive or self.is_portal_admin)

    @property
    def may_register_inquiries(self) -> bool:
        """The secretariat (and administrators) register inquiries that came by e-mail, phone or meeting."""
        return self.is_active and (self.is_secretariat or self.is_portal_admin)

    @property
    def may_manage_organisations(self) -> bool:
        """The secretariat (and administrators) keep the partner register: edit contacts, merge duplicates."""
        return self.is_active and (self.is_secretariat or self.is_portal_admin)

    @property
    def has_staff_role(self) -> bool:
        return self.is_active and (self.sees_all_inquiries or self.is_unit_member)

    @property
    def has_staff_access(self) -> bool:
        """Opens staff pages: the portal's (a staff role) or the Django admin's (is_staff). Such accounts must
        use two-factor authentication (settings.STAFF_MFA_REQUIRED)."""
        return self.is_active and (self.has_staff_role or self.is_staff or self.is_superuser)


def validate_organisation_number(value: str) -> None:
    """A Norwegian organisation number: nine digits with a valid MOD11 check digit."""
    if not orgnr.is_valid(value):
        raise ValidationError(
            _("Enter a valid Norwegian organisation number: nine digits, as in the Brønnøysund Register."),
            code="invalid_orgnr",
        )


class Organisation(models.Model):
    """An external organisation that contacts the centre."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        COUNTY = "county", _("County")
        COMPANY = "company", _("Company")
        FINANCIAL = "financial", _("Financial institution")
        RESEARCH = "research", _("Research or academia")
        NGO = "ngo", _("Non-governmental organisation")
        PUBLIC_AGENCY = "public_agency", _("Public agency")
        INTERNATIONAL = "international", _("International or UN body")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of organisation"), max_length=20, choices=Kind.choices)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=9,
        blank=True,
        validators=[validate_organisation_number],
        help_text=_("Norwegian organisation number (nine digits), if the organisation has one."),
    )
    country = CountryField(_("country"), default="NO")
    municipality_number = models.CharField(
        _("municipality number"),
        max_length=4,
        blank=True,
        help_text=_("Four-digit Norwegian municipality number, for municipalities."),
    )
    website = models.URLField(_("website"), blank=True)
    # Open statistics name an organisation only with its consent (recorded by the secretariat, with the date).
    name_published_since = models.DateField(
        _("name may be published since"),
        null=True,
        blank=True,
        help_text=_(
            "The date the organisation agreed to be named in the centre's open statistics. Empty: never named."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_number"],
                condition=~models.Q(organisation_number=""),
                name="organisation_number_unique_when_present",
                violation_error_message=_("An organisation with this organisation number already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(municipality_number="") | models.Q(municipality_number__regex=r"^[0-9]{4}$"),
                name="municipality_number_four_digits",
            ),
        ]
        indexes = [models.Index(Lower("name"), "country", name="organisation_name_country")]

    def __str__(self) -> str:
        return self.name

    @property
    def county(self) -> str:
        """The county (fylke) of a Norwegian municipality, from its municipality number (partners/counties.py)."""
        return county_of(self.municipality_number) if self.country == "NO" else ""

    def clean(self) -> None:
        if self.municipality_number and self.kind != self.Kind.MUNICIPALITY:
            raise ValidationError({"municipality_number": _("Only municipalities have a municipality number.")})


class Contact(models.Model):
    """A person who speaks for an organisation."""

    # Contacts whose personal data has been removed get an address at this reserved domain (RFC 2606), unique
    # per contact because addresses are unique per organisation; nothing is ever delivered there.
    ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(_("role or title"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="nb"
    )
    consent_on = models.DateField(
        _("consent given on"),
        null=True,
        blank=True,
        help_text=_("When the person agreed that the centre may keep their contact details and contact them."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "organisation", name="contact_email_unique_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_anonymised(self) -> bool:
        return self.email.endswith(f"@{self.ANONYMISED_EMAIL_DOMAIN}")


class MunicipalUnit(models.Model):
    """A unit of Trondheim kommune that can be responsible for inquiries."""

    code = models.SlugField(_("short code"), max_length=20, unique=True)
    name_nb = models.CharField(_("name (bokmål)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description_nb = models.TextField(_("remit (bokmål)"), blank=True)
    description_en = models.TextField(_("remit (English)"), blank=True)
    email = models.EmailField(_("e-mail address"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="units", blank=True, verbose_name=_("members")
    )
    accepts_inquiries = models.BooleanField(_("accepts inquiries"), default=True)
    is_secretariat = models.BooleanField(
        _("is the secretariat"), default=False, help_text=_("The centre's secretariat, which triages inquiries.")
    )

    class Meta:
        verbose_name = _("municipal unit")
        verbose_name_plural = _("municipal units")
        ordering = ["name_nb"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nb").startswith("en") else self.name_nb


class OrganisationMembership(models.Model):
    """A partner's account speaking for an organisation: it sees the organisation's inquiries.

    Made by staff, or by accepting an invitation from a colleague who is an organisation admin.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    is_admin = models.BooleanField(
        _("organisation admin"), default=False, help_text=_("May invite colleagues to the organisation.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_organisation")]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class OrganisationInvitation(models.Model):
    """An invitation to join an organisation, sent by e-mail; only a hash of its token is stored."""

    VALID_DAYS = 14

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation invitation")
        verbose_name_plural = _("organisation invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @staticmethod
    def hash_token(token: str) -> str:
        """What is stored of an e-mailed token: its SHA-256, so a copy of the database opens no invitation."""
        return hashlib.sha256(token.encode()).hexdigest()

    def is_pending(self, now: datetime.datetime) -> bool:
        """Neither accepted, revoked nor expired: the link in its e-mail still works."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at
