"""Staff roles: the one definition of who may see and do what in the admin, as Django groups.

Each role is a group holding exactly the permissions listed here, by
``app_label.codename`` of the modules' models (default ``view_``/``add_``/
``change_``/``delete_`` ones and the modules' own, such as
``checkout.cancel_order``). ``manage.py setup_roles`` makes the groups match
this file; it is safe to run again and again (after a deploy, after adding a
module): a group ends up with these permissions and no others.

Least privilege: a role gets what its work needs and nothing to manage users
or groups (which would let it grant itself more). Superusers stay the only
administrators of staff accounts.

Permissions a module may not provide in every deployment (the payments
module's refunds, the customers module's accounts) are *optional*: granted when the permission exists, reported
as skipped when it does not, looked up by codename when the command runs.
"""

from __future__ import annotations

from dataclasses import dataclass

CRUD = ("view", "add", "change", "delete")


def _perms(app: str, *models: str, actions: tuple[str, ...] = CRUD) -> tuple[str, ...]:
    return tuple(f"{app}.{action}_{model}" for model in models for action in actions)


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """A staff role: the group's name, what it is for, the permissions it needs and those it takes when present."""

    name: str
    purpose: str
    permissions: tuple[str, ...]
    optional: tuple[str, ...] = ()


CATALOG_MANAGER = Role(
    name="catalog manager",
    purpose="Products, variants, media and categories: create, edit, publish, unpublish, import.",
    permissions=_perms("catalog", "product", "variant", "productmedia", "category"),
)

PRICING_MANAGER = Role(
    name="pricing manager",
    purpose=(
        "Base prices (and their import), price lists, promotions and vouchers; shipping zones, methods and rates and tax"
        " rates when those modules are installed; sees the catalog it prices."
    ),
    permissions=(
        *_perms("pricing", "price", "pricelist", "pricelistitem", "promotion", "voucher"),
        "pricing.view_voucherredemption",
        *_perms("catalog", "product", "variant", "category", actions=("view",)),
    ),
    optional=(
        *_perms("shipping", "shippingzone", "shippingzonearea", "shippingmethod", "shippingrate"),
        *_perms("taxes", "taxrate", "countrytaxrule"),
    ),
)

WAREHOUSE = Role(
    name="warehouse",
    purpose="Warehouses, stock levels (receive, adjust, import, export), the ledger, reservations, low-stock thresholds.",
    permissions=(
        *_perms("inventory", "warehouse", actions=("view", "add", "change")),
        "inventory.view_stocklevel",
        "inventory.view_stockmovement",
        "inventory.add_stockmovement",  # receive, adjust and import stock: each writes a ledger row
        "inventory.view_reservation",
        "inventory.view_reservationline",
        *_perms("inventory", "lowstockthreshold"),
        *_perms("catalog", "product", "variant", actions=("view",)),
    ),
)

CUSTOMER_SERVICE = Role(
    name="customer service",
    purpose=(
        "Finds orders and carts, cancels and fulfils orders, exports orders; refunds payments and finds and deactivates"
        " customer accounts when those modules are installed."
    ),
    permissions=(
        "checkout.view_order",
        "checkout.view_orderline",
        "checkout.cancel_order",
        "checkout.fulfil_order",
        "checkout.view_cart",
        "checkout.view_cartline",
        *_perms("catalog", "product", "variant", actions=("view",)),
    ),
    optional=(
        "payments.view_payment",
        "payments.view_refund",
        "payments.refund_payment",
        "customers.view_customer",
        "customers.view_address",
        "customers.deactivate_customer",
    ),
)

SHOP_ADMIN = Role(
    name="shop admin",
    purpose=(
        "Everything the other roles do, plus the event bus (retry, replay), locked-out sign-ins and erasing a customer;"
        " not staff accounts."
    ),
    permissions=(
        *CATALOG_MANAGER.permissions,
        *_perms("pricing", "price", "pricelist", "pricelistitem", "promotion", "voucher"),
        *_perms("pricing", "voucherredemption", actions=("view",)),
        *_perms("inventory", "warehouse", "lowstockthreshold"),
        *_perms("inventory", "stocklevel", "stockmovement", "reservation", "reservationline", actions=("view",)),
        "inventory.add_stockmovement",
        *_perms("checkout", "order", "orderline", "cart", "cartline", actions=("view",)),
        "checkout.cancel_order",
        "checkout.fulfil_order",
        *_perms("eventbus", "outboxevent", "delivery", "deliveryattempt", "inboxentry", actions=("view",)),
        "eventbus.retry_delivery",
        "eventbus.replay_delivery",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "auth.view_user",
        "auth.view_group",
    ),
    optional=(
        *CUSTOMER_SERVICE.optional,
        *PRICING_MANAGER.optional,
        "customers.erase_customer",
        "recommendations.view_seenproduct",
        "recommendations.view_productpair",
    ),
)

ROLES: tuple[Role, ...] = (CATALOG_MANAGER, PRICING_MANAGER, WAREHOUSE, CUSTOMER_SERVICE, SHOP_ADMIN)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleApplied:
    """What ``roles_apply`` did to one group: permissions added and removed, and those skipped as not provided."""

    name: str
    created: bool
    added: tuple[str, ...]
    removed: tuple[str, ...]
    skipped: tuple[str, ...]


class RoleDefinitionError(Exception):
    """A role names a permission that an installed app does not have (a typo or a renamed model)."""


def roles_apply(*, roles: tuple[Role, ...] = ROLES) -> list[RoleApplied]:
    """Make one group per role hold exactly its permissions; idempotent.

    Checked before anything is written: a permission of an installed app that
    does not exist is an error (nothing changes). Permissions of apps that are
    not installed here (a module served elsewhere) and optional ones that do not
    exist are skipped and reported.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction

    wanted = {perm for role in roles for perm in (*role.permissions, *role.optional)}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={perm.split(".", 1)[0] for perm in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    installed = {config.label for config in apps.get_app_configs()}
    unknown = sorted(
        perm for role in roles for perm in role.permissions if perm not in found and perm.split(".", 1)[0] in installed
    )
    if unknown:
        raise RoleDefinitionError(f"These permissions do not exist (run migrate first?): {', '.join(unknown)}")
    results = []
    with transaction.atomic():
        for role in roles:
            names = [perm for perm in (*role.permissions, *role.optional) if perm in found]
            group, created = Group.objects.get_or_create(name=role.name)
            before = set(
                group.permissions.values_list("content_type__app_label", "codename").iterator()
            )
            before_names = {f"{app}.{codename}" for app, codename in before}
            group.permissions.set([found[perm] for perm in names])
            results.append(
                RoleApplied(
                    name=role.name,
                    created=created,
                    added=tuple(sorted(set(names) - before_names)),
                    removed=tuple(sorted(before_names - set(names))),
                    skipped=tuple(perm for perm in (*role.permissions, *role.optional) if perm not in found),
                )
            )
    return results
