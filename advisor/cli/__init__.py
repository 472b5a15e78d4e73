"""The `advisor` command: serve the API, match a profile, seed or check the catalogue, manage
API keys.

Each group of sub-commands lives in a module of its own; this one assembles them, in the order
`advisor --help` lists them.
"""

import typer

from advisor.cli import api_keys, catalogue, jobs, matching, reports, serving

app = typer.Typer(
    help="Funding Advisor: funding instruments and business models for smart-city projects.",
    no_args_is_help=True,
)

app.command()(serving.serve)
app.command()(matching.match)
app.command()(matching.batch)
app.command()(jobs.worker)
app.command("purge-jobs")(jobs.purge_jobs)
app.command()(catalogue.seed)
app.command("check-data")(catalogue.check_data)
app.command()(reports.report)
app.command()(catalogue.impact)
app.add_typer(api_keys.app, name="keys")
