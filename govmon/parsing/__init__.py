"""Extraction from government web pages, independent of Scrapy (tested on saved pages).

- :mod:`encoding`   decide a page's encoding from its bytes (declared charsets lie)
- :mod:`dates`      list dates in the formats CMSes print, year inference, article dates (meta PubDate)
- :mod:`html`       :class:`Page`: one parse of a page, its metas, links and Hanweb CDATA records
- :mod:`columns`    column typing from names, titles and meta ColumnName/ColumnType; URL shapes
- :mod:`listing`    list items and their dates, blank columns, the next-page link
- :mod:`navigation` the navigation bar, homepage blocks and items, navigation-only homepages
- :mod:`footer`     footer identity: 网站标识码, ICP备案, 公安备案, 主办单位
- :mod:`letters`    领导信箱/留言 lists: 留言时间, 回复时间, 状态
- :mod:`links`      link kinds (page, image, attachment), canonical URLs, failure classes
"""
