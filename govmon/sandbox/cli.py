"""Command line of the sandbox: ``python -m govmon.sandbox <command>`` (the project CLI wires
``govmon sandbox …`` to :func:`main`).

    serve    --scenario F [--port P] [--out DIR] [--ready-file F] [--anchor ISO|now]
    registry --scenario F --port P --out DIR
    generate [--seed N] [--sites 50] [--accounts 450] [--anchor now] --out F
    check    --scenario F          validate; compare written expectations with computed ones
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from govmon.sandbox.scenario import ScenarioError, load_scenario


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="govmon sandbox", description="The sandbox world: a simulated "
                                "prefecture's government web on loopback.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve a scenario until SIGTERM/SIGINT")
    s.add_argument("--scenario", required=True, help="scenario YAML file")
    s.add_argument("--port", type=int, default=0, help="one port for every address (0 = pick a free one)")
    s.add_argument("--out", help="write the registry CSVs (sites/accounts/regions) into this directory")
    s.add_argument("--ready-file", help="write a JSON state file here once listening")
    s.add_argument("--anchor", help="override the scenario's anchor (ISO 8601 or 'now')")
    s.add_argument("--hang-cap", type=float, default=None,
                   help="cap on how long a 'timeout' fault hangs, in seconds (tests)")

    r = sub.add_parser("registry", help="write the registry CSVs for a scenario and port")
    r.add_argument("--scenario", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--out", required=True)

    g = sub.add_parser("generate", help="generate a prefecture-sized scenario (deterministic per seed)")
    g.add_argument("--seed", type=int, default=2026)
    g.add_argument("--sites", type=int, default=50)
    g.add_argument("--accounts", type=int, default=450)
    g.add_argument("--anchor", default="now")
    g.add_argument("--out", required=True, help="output file: YAML, or JSON when it ends in .json ('-': YAML on stdout)")

    c = sub.add_parser("check", help="validate a scenario and compare its expect blocks with computed ones")
    c.add_argument("--scenario", required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "generate":
            from govmon.sandbox.generate import generate_json, generate_yaml

            gen = generate_json if args.out.lower().endswith(".json") else generate_yaml
            text = gen(seed=args.seed, n_sites=args.sites, n_accounts=args.accounts, anchor=args.anchor)
            if args.out == "-":
                sys.stdout.write(text)
            else:
                with open(args.out, "w", encoding="utf-8") as f:
                    f.write(text)
                print(f"wrote {args.out}", file=sys.stderr)
            return 0
        scenario = load_scenario(args.scenario)
        if args.command == "check":
            from govmon.sandbox.expect import mismatches

            problems = mismatches(scenario)
            for line in problems:
                print(line)
            print(f"{scenario.name}: {len(scenario.sites)} sites, {len(scenario.accounts)} accounts, "
                  f"{len(problems)} expectation mismatch(es)", file=sys.stderr)
            return 1 if problems else 0
        if args.command == "registry":
            from govmon.sandbox.registry import write_registry

            for kind, path in write_registry(scenario, args.port, args.out).items():
                print(f"{kind}: {path}")
            return 0
        if args.command == "serve":
            from govmon.sandbox import dates
            from govmon.sandbox.server import serve

            if args.anchor:
                try:
                    scenario.anchor_spec = dates.parse_anchor(args.anchor)
                except ValueError as e:
                    raise ScenarioError(f"--anchor: {e}") from None
            if scenario.anchor_spec is None:  # 'now': resolved once, at start
                scenario.anchor_spec = dates.now_anchor()
            return asyncio.run(serve(scenario, port=args.port, out_dir=args.out, ready_file=args.ready_file,
                                     hang_cap=args.hang_cap))
    except (ScenarioError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
