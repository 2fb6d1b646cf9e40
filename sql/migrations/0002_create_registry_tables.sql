-- The registry: sites and accounts under inspection, imported from the operators' files
-- (CONTRACT.md §1). One row per site / account / region, updated in place; every change is kept
-- in registry.changes, tagged with the import that made it.

create table if not exists registry.imports (
    import_id    bigserial primary key,
    kind         text not null check (kind in ('regions', 'sites', 'accounts')),
    file_name    text not null,
    file_sha256  text not null,
    imported_at  timestamptz not null default now(),
    row_count    integer not null,
    inserted     integer not null default 0,
    updated      integer not null default 0,
    unchanged    integer not null default 0,
    removed      integer not null default 0
);

create table if not exists registry.regions (
    region_code     text primary key check (region_code ~ '^[0-9]{6}$'),
    name            text not null,
    level           text generated always as (
                        case when region_code like '__0000' then 'province'
                             when region_code like '____00' then 'prefecture'
                             else 'county' end) stored,
    parent_code     text generated always as (
                        case when region_code like '__0000' then null
                             when region_code like '____00' then substr(region_code, 1, 2) || '0000'
                             else substr(region_code, 1, 4) || '00' end) stored,
    first_import_id bigint not null references registry.imports,
    last_import_id  bigint not null references registry.imports,
    removed_at      timestamptz
);

create table if not exists registry.sites (
    site_id         bigserial primary key,
    site_code       text not null unique check (site_code ~ '^([0-9]{10}|bm[0-9]{8})$'),
    name            text not null,
    url             text not null check (url ~* '^https?://'),
    organizer       text not null,
    region_code     text not null check (region_code ~ '^[0-9]{6}$'),
    kind            text not null check (kind in ('政府门户网站', '部门网站')),
    status          text not null check (status in ('运行', '临时关停', '关停')),
    extra           jsonb not null default '{}'::jsonb,
    first_import_id bigint not null references registry.imports,
    last_import_id  bigint not null references registry.imports,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    removed_at      timestamptz
);

create table if not exists registry.accounts (
    account_id          bigserial primary key,
    -- stable identity: platform + 账号标识, else platform + 采集地址, else platform + 填报单位 + 账号名称
    identity_key        text not null unique,
    platform            text not null check (platform in ('微信', '微博', '抖音', '今日头条', '快手', '其他')),
    name                text not null,
    account_type        text,
    platform_account_id text,
    feed_url            text,
    organizer           text not null,
    region_code         text not null check (region_code ~ '^[0-9]{6}$'),
    status              text not null check (status in ('运行', '临时关停', '关停')),
    extra               jsonb not null default '{}'::jsonb,
    first_import_id     bigint not null references registry.imports,
    last_import_id      bigint not null references registry.imports,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    removed_at          timestamptz
);

create table if not exists registry.changes (
    change_id  bigserial primary key,
    import_id  bigint not null references registry.imports,
    entity     text not null check (entity in ('region', 'site', 'account')),
    entity_key text not null,  -- region_code, site_code or accounts.identity_key
    field      text not null,  -- a column name, or 'created' / 'removed' / 'restored'
    old_value  text,
    new_value  text,
    changed_at timestamptz not null default now()
);
create index if not exists changes_entity_idx on registry.changes (entity, entity_key);

-- What is inspected: listed in the latest file and 运行 (a closed site or account is not inspected).
create or replace view registry.inspected_sites as
select * from registry.sites where removed_at is null and status = '运行';

create or replace view registry.inspected_accounts as
select * from registry.accounts where removed_at is null and status = '运行';

-- An account's names over time: one row per rename, oldest first.
create or replace view registry.account_renames as
select c.change_id, a.account_id, a.identity_key, a.platform, c.old_value as old_name, c.new_value as new_name,
       c.import_id, c.changed_at
from registry.changes c
join registry.accounts a on a.identity_key = c.entity_key
where c.entity = 'account' and c.field = 'name';
