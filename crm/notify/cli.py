"""`crm notify digest [--dry-run]`: the e-mail digest, for cron."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


def register(main: click.Group) -> None:
    main.add_command(notify_group)


@click.group("notify")
def notify_group() -> None:
    """Tell people what is new or due for them."""


@notify_group.command("digest")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@with_appcontext
def digest_command(dry_run: bool) -> None:
    """E-mail each user who wants it their My work (daily users every run, weekly users on
    Mondays; nobody twice a day). Exits 1 when no mail server is configured (nothing is
    sent) or when a delivery failed (the others are still sent)."""
    from crm.notify import digest

    try:
        outcome = digest.run(dry_run=dry_run, echo=click.echo)
    except digest.MailNotConfigured as err:
        click.echo(f"No mail server configured (missing {err}): set MAIL_SERVER and MAIL_FROM "
                   "(and MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD as needed). "
                   "Nothing was sent.", err=True)
        sys.exit(1)
    except OSError as err:  # the server cannot be reached: nobody was sent anything
        click.echo(f"Cannot reach the mail server: {err}. Nothing was sent.", err=True)
        sys.exit(1)
    verb = "Would send" if dry_run else "Sent"
    click.echo(f"{verb} {len(outcome.sent)} digest(s); {outcome.skipped} user(s) had nothing "
               "new or due.")
    for email, reason in outcome.failed:
        click.echo(f"Not delivered to {email}: {reason}", err=True)
    if outcome.failed:
        click.echo(f"{len(outcome.failed)} digest(s) could not be delivered.", err=True)
        sys.exit(1)
