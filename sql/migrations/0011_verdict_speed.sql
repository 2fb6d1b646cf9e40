-- What the quarterly verdicts need to run at national scale (bench/verdicts_national.py).

-- W-V2 reads one week of probes out of a month's partition. Probes arrive round by round, in time
-- order, so a BRIN index on probed_at (a few pages per partition) lets that read skip the rest of
-- the month. minmax-multi (Postgres 14+): a block range keeps several intervals, so the odd late
-- row that lands in an old page's free space does not widen its range to the whole month;
-- autosummarize: each range is summarized as soon as it fills (one not yet summarized is always read).
create index if not exists probe__probes_time_brin on raw.probe__probes
    using brin (probed_at timestamptz_minmax_multi_ops)
    with (autosummarize = on);

-- A run's rows (run_entities 154,000, check_results 784,000, run_verdicts 154,000 for a national
-- quarter) are written only by govmon.verdicts.compute, in the transaction that creates or resets
-- that run. Their foreign keys re-proved this once per row, a trigger call each: about a third of
-- the time spent writing them. They go; what they did stays:
--   * the primary keys still refuse a row twice;
--   * deleting a run still deletes its rows, by one statement-level trigger below (one delete per
--     table for all the runs a statement removed, instead of a cascade per row).
alter table verdicts.run_verdicts drop constraint if exists run_verdicts_run_id_entity_type_entity_id_fkey;
alter table verdicts.check_results drop constraint if exists check_results_run_id_fkey;
alter table verdicts.run_entities drop constraint if exists run_entities_run_id_fkey;

create or replace function verdicts.delete_run_rows() returns trigger
language plpgsql as $$
begin
    delete from verdicts.run_verdicts v using gone_runs g where v.run_id = g.run_id;
    delete from verdicts.check_results c using gone_runs g where c.run_id = g.run_id;
    delete from verdicts.run_entities e using gone_runs g where e.run_id = g.run_id;
    return null;
end;
$$;

drop trigger if exists runs_delete_rows on verdicts.runs;
create trigger runs_delete_rows
    after delete on verdicts.runs
    referencing old table as gone_runs
    for each statement execute function verdicts.delete_run_rows();

-- Scratch space of a computation: each check runs into an unlogged table of its own here, on its own
-- connection (all sharing one snapshot), before the computing transaction loads them into
-- check_results and drops them (govmon.verdicts.compute).
create schema if not exists verdicts_scratch;

