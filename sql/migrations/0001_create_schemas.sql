-- The layers, one schema each: registry (what is inspected), raw (as collected), staging
-- (renamed and cast), marts (business facts), verdicts (quarterly results and review).
create schema if not exists registry;
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists marts;
create schema if not exists verdicts;
