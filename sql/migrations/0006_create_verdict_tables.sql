-- Quarterly verdicts: runs, per-check results, the roll-up per entity, the published pointer per
-- quarter, and the human review queue with its history.

create table if not exists verdicts.indicators (
    indicator   text primary key,
    entity_type text not null check (entity_type in ('site', 'account')),
    -- veto: 单项否决 (listed in the export's 单项否决) → 不合格; fail: → 不合格 without being a national
    -- veto (registry mismatches, local rules); deduction: points off the 100; flag: shown, no effect
    kind        text not null check (kind in ('veto', 'fail', 'deduction', 'flag')),
    title       text not null,
    points_max  numeric,
    automation  text not null check (automation in ('A', 'S', 'M')),
    evidence_tag text not null check (evidence_tag in ('V', 'D', 'R', 'L'))
);

insert into verdicts.indicators (indicator, entity_type, kind, title, points_max, automation, evidence_tag) values
    ('W-V1', 'site', 'veto', '安全、泄密事故等严重问题', null, 'M', 'V'),
    ('W-V2', 'site', 'veto', '站点无法访问', null, 'A', 'V'),
    ('W-V3', 'site', 'veto', '首页不更新', null, 'A', 'V'),
    ('W-V4', 'site', 'veto', '栏目不更新', null, 'A', 'V'),
    ('W-V5', 'site', 'veto', '互动回应差', null, 'S', 'V'),
    ('W-V6', 'site', 'veto', '服务不实用', null, 'S', 'R'),
    ('W-D5', 'site', 'deduction', '政策文件栏目未更新', 5, 'A', 'V'),
    ('W-D15', 'site', 'deduction', '可用性（错链断链）', 21, 'A', 'R'),
    ('G-F1', 'site', 'flag', '网站标识（页脚信息与系统不一致）', null, 'S', 'R'),
    ('M-V1', 'account', 'veto', '安全、泄密事故等严重问题', null, 'M', 'D'),
    ('M-V2', 'account', 'veto', '内容不更新', null, 'A', 'D'),
    ('M-V3', 'account', 'veto', '互动回应差', null, 'S', 'D'),
    ('M-L1', 'account', 'fail', '原创内容不足（地方规则）', null, 'A', 'L'),
    ('N-7', 'account', 'fail', '备案信息不符（已改名、搜索不到）', null, 'A', 'D')
on conflict (indicator) do update set
    entity_type = excluded.entity_type, kind = excluded.kind, title = excluded.title,
    points_max = excluded.points_max, automation = excluded.automation, evidence_tag = excluded.evidence_tag;

create table if not exists verdicts.runs (
    run_id          bigserial primary key,
    quarter         text not null check (quarter ~ '^[0-9]{4}Q[1-4]$'),
    as_of           timestamptz not null,
    -- scheduled: the quarterly run; recheck: a 复核 after rectification (kept beside the first)
    kind            text not null default 'scheduled' check (kind in ('scheduled', 'recheck')),
    profile_name    text not null,
    profile_version integer not null,
    profile         jsonb not null,
    unverified      text[] not null default '{}',
    checks          text[] not null default '{}',
    status          text not null default 'computing' check (status in ('computing', 'computed', 'published')),
    created_at      timestamptz not null default now(),
    computed_at     timestamptz,
    published_at    timestamptz,
    unique (quarter, kind, as_of, profile_name, profile_version)
);

-- The entities a run judged, as the registry stood when it was computed (names and codes may change
-- later; a re-applied roll-up after review judges the same entities).
create table if not exists verdicts.run_entities (
    run_id       bigint not null references verdicts.runs on delete cascade,
    entity_type  text not null check (entity_type in ('site', 'account')),
    entity_id    bigint not null,
    name         text not null,
    code         text not null,          -- 网站标识码, or 平台:账号标识
    region_code  text not null,
    organizer    text not null,
    kind         text,                   -- 政府门户网站 / 部门网站 (sites)
    platform     text,                   -- 微信 / 微博 … (accounts)
    account_type text,
    url          text,
    primary key (run_id, entity_type, entity_id)
);

create table if not exists verdicts.check_results (
    run_id      bigint not null references verdicts.runs on delete cascade,
    check_name  text not null,
    entity_type text not null,
    entity_id   bigint not null,
    indicator   text not null,
    status      text not null check (status in ('pass', 'fail', 'unknown', 'review')),
    problem     text,
    reason      text,
    evidence    jsonb not null default '{}'::jsonb,
    primary key (run_id, check_name, entity_type, entity_id)
);

-- The roll-up: one verdict per entity a run judged.
create table if not exists verdicts.run_verdicts (
    run_id          bigint not null,
    entity_type     text not null,
    entity_id       bigint not null,
    verdict         text not null check (verdict in ('合格', '不合格', '无法判定', '待审核')),
    score           numeric,
    problems        text[] not null default '{}',
    vetoes          text[] not null default '{}',
    unknown_reasons text[] not null default '{}',
    pending_review  text[] not null default '{}',
    unverified      text[] not null default '{}',
    primary key (run_id, entity_type, entity_id),
    foreign key (run_id, entity_type, entity_id) references verdicts.run_entities on delete cascade
);

-- Verdicts with the entity as the registry stood when the run was computed, for every run.
create or replace view verdicts.entity_verdicts as
select v.run_id, v.entity_type, v.entity_id, r.quarter, e.name, e.code, e.region_code, e.organizer, e.kind,
       e.platform, e.account_type, e.url, v.verdict, v.score, v.problems, v.vetoes, v.unknown_reasons,
       v.pending_review, v.unverified
from verdicts.run_verdicts v
join verdicts.run_entities e using (run_id, entity_type, entity_id)
join verdicts.runs r using (run_id);

-- Which run is the published one for a quarter; publishing swaps this pointer in one transaction.
create table if not exists verdicts.published (
    quarter      text primary key,
    run_id       bigint not null references verdicts.runs,
    published_at timestamptz not null default now()
);

-- Review: what a machine can only suspect (automation S), and what reviewers record (M).
create table if not exists verdicts.review_items (
    item_id     bigserial primary key,
    quarter     text not null,
    entity_type text not null,
    entity_id   bigint not null,
    indicator   text not null,
    problem     text not null,
    source      text not null check (source in ('machine', 'manual')),
    evidence    jsonb not null default '{}'::jsonb,
    created_at  timestamptz not null default now(),
    unique (quarter, entity_type, entity_id, indicator)
);

create table if not exists verdicts.review_imports (
    import_id   bigserial primary key,
    file_name   text not null,
    file_sha256 text not null,
    quarter     text not null,
    imported_at timestamptz not null default now(),
    row_count   integer not null,
    applied     integer not null
);

-- Every decision is kept; the latest one for an item counts.
create table if not exists verdicts.review_decisions (
    decision_id bigserial primary key,
    item_id     bigint not null references verdicts.review_items,
    decision    text not null check (decision in ('确认', '排除')),
    reviewer    text not null,
    reason      text,
    evidence    text,
    import_id   bigint references verdicts.review_imports,
    decided_at  timestamptz not null default now()
);
create index if not exists review_decisions_item_idx on verdicts.review_decisions (item_id, decision_id desc);

create or replace view verdicts.current_review as
select distinct on (i.item_id)
       i.*, d.decision, d.reviewer, d.reason, d.evidence as decision_evidence, d.decided_at
from verdicts.review_items i
left join verdicts.review_decisions d using (item_id)
order by i.item_id, d.decision_id desc nulls last;

-- The published verdicts, one row per entity and quarter: what dashboards and the report read.
create or replace view verdicts.fct_quarterly_verdicts as
select v.*, r.as_of, r.profile_name, r.profile_version, r.kind as run_kind
from verdicts.published p
join verdicts.entity_verdicts v on v.run_id = p.run_id
join verdicts.runs r on r.run_id = p.run_id;
create index if not exists run_entities_region_idx on verdicts.run_entities (run_id, region_code);
