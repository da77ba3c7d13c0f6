"""`liputan6-monitor sample-site`: serve the local replica until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading

import typer

from sample_site import FaultSpec, SampleSite, serve


def register(app: typer.Typer) -> None:
    @app.command("sample-site")
    def sample_site(
        port: int = typer.Option(8000, help="Port to listen on (0 = any free port)."),
        host: str = typer.Option("127.0.0.1", help="Interface to bind; keep it local."),
        articles: int = typer.Option(200, min=1, help="Number of generated articles."),
        seed: int = typer.Option(7, help="Seed: same seed, same site, byte for byte."),
        faults: str = typer.Option("", help="Fault spec, e.g. '503:/news/*:0.5:times=2'."),
        advance: int = typer.Option(0, min=0, help="Timeline steps to apply before serving."),
    ) -> None:
        """Serve a deterministic Liputan6 replica for demos, tests and fault drills."""
        try:
            spec = FaultSpec.parse(faults)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--faults") from exc
        site = SampleSite(articles=articles, seed=seed, faults=spec)
        for _ in range(advance):
            site.advance()
        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        with serve(site, host=host, port=port) as running:
            typer.echo(running.base_url, err=False)
            try:
                while not done.wait(0.5):
                    pass
            except KeyboardInterrupt:
                typer.echo("stopping", err=True)
