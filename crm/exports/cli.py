"""`crm export KIND --format F -o FILE [filters]`: writes what the list page would export.

The filters are turned into the list page's query arguments and go through the same filter
function as the page and the web export. There is no user: the command exports as an
administrator would, or as --role ROLE sees it (no donation columns for a role without
donations.view). Bad input (unknown officer, impossible date, a role that may not export) is
reported on stderr with exit status 2, and no file is written.
"""
from __future__ import annotations

import os
import sys
import tempfile

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import func, select

from crm.auth.permissions import ROLE_PERMISSIONS, Role
from crm.common.services import ValidationError, unit_of_work


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def register(group: click.Group) -> None:
    """Add this feature's commands to the `crm` group."""

    @group.command("export")
    @click.argument("kind", type=click.Choice(["companies", "contacts"]))
    @click.option("--format", "fmt", type=click.Choice(["csv", "csv-cp932", "xlsx", "vcard"]),
                  default="csv", show_default=True,
                  help="csv: UTF-8 with BOM (Excel opens it); csv-cp932: Shift_JIS; xlsx; "
                       "vcard (contacts only).")
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
                  help="File to write ('-' for standard output).")
    @click.option("--officer", help="Responsible officer's e-mail.")
    @click.option("--country", help="Two-letter country code, or 'domestic' / 'foreign'.")
    @click.option("--member/--no-member", default=None, help="Members (any tier) or non-members.")
    @click.option("--tier", type=click.Choice(["associate", "standard", "premium"]),
                  help="One membership tier.")
    @click.option("--industry", help="Industry, exactly as on the company list.")
    @click.option("--status", type=click.Choice(["prospect", "active", "dormant", "former"]))
    @click.option("--no-contact-since", help="No activity or encounter on or after DATE "
                                             "(YYYY-MM-DD).")
    @click.option("--contacted-since", help="An activity or encounter on or after DATE.")
    @click.option("--min-donations", help="Donation total at least N (in --currency).")
    @click.option("--currency", default=None, help="Currency of --min-donations (default JPY).")
    @click.option("--q", "q", help="The list's free-text search.")
    @click.option("--company", type=int, help="Contacts of one company (its id).")
    @click.option("--dnc", type=click.Choice(["yes", "no"]), help="Only (or no) do-not-contact "
                                                                 "people.")
    @click.option("--include-dnc-details", is_flag=True,
                  help="Export e-mail and phones of do-not-contact people too.")
    @click.option("--sort", help="Sort key of the list page (name, country, officer ...).")
    @click.option("--role", type=click.Choice([r.value for r in Role]), default="admin",
                  show_default=True, help="Export as this role sees the list.")
    @click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True,
                  help="Language of the column headers.")
    @with_appcontext
    def export_command(kind, fmt, output, officer, country, member, tier, industry, status,
                       no_contact_since, contacted_since, min_donations, currency, q, company,
                       dnc, include_dnc_details, sort, role, lang) -> None:
        """Export the company or contact list as the list page filters it."""
        from crm.auth.models import User
        from crm.exports import services
        from crm.extensions import db

        granted = ROLE_PERMISSIONS[Role(role)]
        if "export" not in granted:
            _fail(f"the role {role!r} may not export lists.")
        donations = "donations.view" in granted
        if (min_donations or currency) and not donations:
            _fail(f"the role {role!r} cannot see donations: --min-donations is not available.")
        if member is not None and tier:
            _fail("use either --member/--no-member or --tier, not both.")
        args: dict[str, str] = {}
        if officer:
            officer_id = db.session.scalar(
                select(User.id).where(func.lower(User.email) == officer.strip().lower()))
            if officer_id is None:
                _fail(f"no user with the e-mail {officer!r} (--officer).")
            args["officer"] = str(officer_id)
        if country:
            if country.lower() in ("domestic", "foreign"):
                args["origin"] = country.lower()
            elif len(country.strip()) == 2 and country.strip().isalpha():
                args["country"] = country.strip().upper()
            else:
                _fail(f"--country {country!r}: use a two-letter code, 'domestic' or 'foreign'.")
        if member is not None:
            args["tier"] = "member" if member else "none"
        for key, value in (("tier", tier), ("industry", industry), ("status", status),
                           ("no_contact_since", no_contact_since),
                           ("contacted_since", contacted_since), ("min_donations", min_donations),
                           ("currency", currency), ("q", q), ("dnc", dnc), ("sort", sort)):
            if value:
                args[key] = value
        if company is not None:
            args["company"] = str(company)
        req = services.Request(kind=kind, format=fmt, args=args, donations=donations,
                               dnc_details=include_dnc_details)
        with force_locale(lang):
            try:
                req.check()
            except ValidationError as err:
                _fail("; ".join(err.errors.values()))
            # Written next to the target and renamed at the end: a failure leaves no half file.
            target = None if output == "-" else os.path.abspath(output)
            with unit_of_work(f"cli (as {role})" if role != "admin" else "cli"):
                if target is None:
                    result = services.write(req, sys.stdout.buffer)
                    sys.stdout.buffer.flush()
                else:
                    fd, partial = tempfile.mkstemp(dir=os.path.dirname(target),
                                                   prefix=".export-", suffix=".part")
                    try:
                        with os.fdopen(fd, "wb") as out:
                            result = services.write(req, out)
                        os.replace(partial, target)
                    except BaseException:
                        if os.path.exists(partial):
                            os.unlink(partial)
                        raise
                services.record_export(req, result.rows, by=None,
                                       actor=f"cli (as {role})" if role != "admin" else "cli")
            message = result.replaced_message()
        if message:
            click.echo(f"Warning: {message}", err=True)
        click.echo(f"{result.rows} rows written to {output}",
                   err=target is None)
