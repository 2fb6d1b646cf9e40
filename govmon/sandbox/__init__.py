"""The sandbox world: a scenario file becomes a simulated prefecture's government web (sites in
three CMS families, Weibo/WeChat/RSS-bridge endpoints) served on loopback, so demos and tests
crawl it instead of the internet. See ``govmon/sandbox/README.md``.

Public API::

    from govmon.sandbox import load_scenario, SandboxProcess
    from govmon.sandbox.cli import main      # `python -m govmon.sandbox …`
"""

from govmon.sandbox.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "parse_scenario", "SandboxProcess"]


def __getattr__(name):
    if name == "SandboxProcess":
        from govmon.sandbox.runner import SandboxProcess

        return SandboxProcess
    raise AttributeError(name)
