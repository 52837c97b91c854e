from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower

from smarketing.tenancy import credentials


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who signs in with an e-mail address; tenants come through memberships."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    # Notification preferences per kind: {"sla_breached": "both", ...}; see notifications.
    notification_preferences = models.JSONField(default=dict, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    # An API key acts as its user, and is kept per worker with it (tenancy.credentials).
    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        credentials.saved(self, adding, kwargs.get("update_fields"), free=frozenset({"last_login"}))

    def delete(self, *args, **kwargs):
        credentials.credentials_changed()
        return super().delete(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email
