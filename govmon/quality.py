"""The quality gate: Great Expectations suites in ``expectations/`` run against Postgres.

One suite per relation: ``expectations/<schema>/<relation>.json`` holds the GX 1.x suite named
``<schema>.<relation>`` (the dot maps to the folder). A suite validates that table, unless its
``meta.query`` gives a SELECT to validate instead (for derived facts: probes per site and day,
registry coverage). A query may use ``{as_of}`` (the 监测时间点 as a timestamptz literal) and any
profile key as ``{section__key}``. Each expectation's ``meta.blocking`` (default true) decides
whether its failure stops the verdicts; ``meta.why`` says why it exists.

``run_gate()`` loads every suite into an ephemeral GX context, validates them in one checkpoint,
writes Data Docs (HTML) and returns what failed with example rows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from govmon import config, pgcluster
from govmon.profiles import Profile, load_profile


def suites_dir() -> Path:
    return config.PROJECT_ROOT / "expectations"


@dataclass
class ExpectationOutcome:
    suite: str
    type: str
    column: str | None
    success: bool
    blocking: bool
    why: str
    unexpected_count: int | None = None
    examples: list = field(default_factory=list)
    error: str | None = None

    def describe(self) -> str:
        target = f"{self.suite}.{self.column}" if self.column else self.suite
        text = f"{target}：{self.type}"
        if self.unexpected_count:
            text += f"，{self.unexpected_count} 行不符"
        if self.examples:
            text += f"，例如 {self.examples[:5]}"
        if self.error:
            text += f"，执行出错：{self.error}"
        if self.why:
            text += f"（{self.why}）"
        return text


@dataclass
class GateResult:
    outcomes: list[ExpectationOutcome]
    docs_index: Path | None

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.blocking]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and not o.blocking]

    @property
    def success(self) -> bool:
        return not self.blocking_failures

    def summary(self) -> list[str]:
        suites = {o.suite for o in self.outcomes}
        head = (f"质量闸门{'通过' if self.success else '未通过'}：{len(suites)} 个检验集，{len(self.outcomes)} 项期望，"
                f"阻断性失败 {len(self.blocking_failures)}，警告 {len(self.warnings)}")
        lines = [head]
        lines += [f"  阻断：{o.describe()}" for o in self.blocking_failures]
        lines += [f"  警告：{o.describe()}" for o in self.warnings]
        if self.docs_index:
            lines.append(f"  Data Docs：{self.docs_index}")
        return lines


def load_suites(directory: Path | None = None) -> list[dict]:
    directory = directory or suites_dir()
    suites = []
    for path in sorted(directory.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        expected = f"{path.parent.name}.{path.stem}"
        if data.get("name") != expected:
            raise ValueError(f"{path}: suite name must be {expected!r} (schema folder + file stem)")
        suites.append(data)
    return suites


def _literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat()}'::timestamptz"
    return "'" + str(value).replace("'", "''") + "'"


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def run_gate(*, as_of: dt.datetime, profile: Profile | str | None = None, url: str | None = None,
             directory: Path | None = None, docs_dir: str | Path | None = None) -> GateResult:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    url = url or pgcluster.resolve_url()
    docs = Path(docs_dir) if docs_dir else config.state_dir() / "data_docs"
    params = {"as_of": _literal(as_of), **{k: _literal(v) for k, v in profile.flat().items()}}

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    ctx.add_data_docs_site(site_name="govmon", site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    source = ctx.data_sources.add_postgres(name="govmon", connection_string=_sqlalchemy_url(url))
    definitions = []
    meta_by_suite: dict[str, list[dict]] = {}
    for spec in load_suites(directory):
        name = spec["name"]
        schema, relation = name.split(".", 1)
        query = (spec.get("meta") or {}).get("query")
        if query:
            sql = query.format_map(params).strip()
            if not sql.lower().startswith("select"):
                sql = f"select * from ({sql}) as q"  # GX takes only queries that start with SELECT
            asset = source.add_query_asset(name=name, query=sql)
        else:
            asset = source.add_table_asset(name=name, table_name=relation, schema_name=schema)
        batch = asset.add_batch_definition_whole_table("all")
        suite = gx.ExpectationSuite(name=name, expectations=spec["expectations"], meta=spec.get("meta") or {},
                                    notes=spec.get("notes"))
        if len(suite.expectations) != len(spec["expectations"]):
            raise ValueError(f"{name}: GX dropped invalid expectations "
                             f"({len(spec['expectations'])} in the file, {len(suite.expectations)} loaded)")
        suite = ctx.suites.add(suite)
        meta_by_suite[name] = [e.get("meta") or {} for e in spec["expectations"]]
        definitions.append(ctx.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite)))

    outcomes: list[ExpectationOutcome] = []
    if definitions:
        checkpoint = ctx.checkpoints.add(gx.Checkpoint(
            name="govmon_gate", validation_definitions=definitions,
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["govmon"])],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        ))
        result = checkpoint.run()
        for run in result.run_results.values():
            suite_name = run.suite_name
            for r in run.results:
                cfg = r.expectation_config
                meta = cfg.meta or {}
                exc = r.exception_info or {}
                outcomes.append(ExpectationOutcome(
                    suite=suite_name, type=cfg.type, column=cfg.kwargs.get("column"), success=bool(r.success),
                    blocking=bool(meta.get("blocking", True)), why=str(meta.get("why", "")),
                    unexpected_count=(r.result or {}).get("unexpected_count"),
                    examples=list((r.result or {}).get("partial_unexpected_list") or []),
                    error=exc.get("exception_message") if exc.get("raised_exception") else None,
                ))
    index = docs / "index.html"
    return GateResult(outcomes, index if index.exists() else None)
