"""Page-template families modelled on real government CMSes: ``trs`` (TRS WCM), ``hanweb``
(大汉 jcms) and ``jiangxi`` (the Jiangxi provincial 集约化 platform)."""

from govmon.sandbox.templates.base import Route, SiteTemplate, SiteView
from govmon.sandbox.templates.hanweb import HanwebTemplate
from govmon.sandbox.templates.jiangxi import JiangxiTemplate
from govmon.sandbox.templates.trs import TrsTemplate

TEMPLATES: dict[str, SiteTemplate] = {t.name: t for t in (TrsTemplate(), HanwebTemplate(), JiangxiTemplate())}


def get_template(name: str) -> SiteTemplate:
    return TEMPLATES[name]


__all__ = ["TEMPLATES", "Route", "SiteTemplate", "SiteView", "get_template"]
