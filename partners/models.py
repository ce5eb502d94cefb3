"""External organisations and their contacts, the municipality's units, and the portal's users."""

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
    def has_staff_role(self) -> bool:
        return self.is_active and (self.sees_all_inquiries or self.is_unit_member)


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

    def clean(self) -> None:
        if self.municipality_number and self.kind != self.Kind.MUNICIPALITY:
            raise ValidationError({"municipality_number": _("Only municipalities have a municipality number.")})


class Contact(models.Model):
    """A person who speaks for an organisation."""

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
