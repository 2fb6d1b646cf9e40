-- A run's registry snapshot as a partition too, built beside the run and attached whole.
--
-- verdicts.run_entities (154,000 rows a national run) was copied, row by row with its two indexes,
-- from the snapshot a worker built into the table, then analyzed: about 1 s of the computation's
-- CPU, beside the checks. Like verdicts.check_results (0013) it is now partitioned by run (LIST
-- run_id): the worker builds the run's partition as a table with its keys, its statistics and a
-- constraint naming the run, and the computing transaction attaches it, dropping the run's earlier
-- one. Its partitions live in verdicts_parts too: cr<run_id>_<attempt>_entities; runs that existed
-- before this migration keep theirs in cr<run_id>_m_entities.
--
-- The views over run_entities, and the views over those, are made again from their own definitions
-- over the partitioned table.

do $$
declare
    v record;
    run record;
begin
    create temp table views_over_run_entities on commit drop as
    with recursive deps (oid, depth) as (
        select 'verdicts.run_entities'::regclass::oid, 0
        union
        select r.ev_class, deps.depth + 1
        from deps
        join pg_depend as d on d.refobjid = deps.oid and d.classid = 'pg_rewrite'::regclass
        join pg_rewrite as r on r.oid = d.objid
        where r.ev_class <> deps.oid
    )
    -- a view deeper than every view it reads: made again shallowest first, dropped deepest first
    select oid::regclass::text as name, pg_get_viewdef(oid) as definition, max(depth) as depth
    from deps
    where depth > 0
    group by oid;

    for v in select * from views_over_run_entities order by depth desc, name loop
        execute format('drop view %s', v.name);
    end loop;

    alter table verdicts.run_entities rename to run_entities_unpartitioned;  -- its keys' names are taken anew
    alter table verdicts.run_entities_unpartitioned
        rename constraint run_entities_pkey to run_entities_unpartitioned_pkey;
    alter index verdicts.run_entities_region_idx rename to run_entities_unpartitioned_region_idx;

    create table verdicts.run_entities (
        like verdicts.run_entities_unpartitioned including defaults including constraints including indexes
    ) partition by list (run_id);
    alter index verdicts.run_entities_run_id_region_code_idx rename to run_entities_region_idx;

    for run in select distinct run_id from verdicts.run_entities_unpartitioned order by run_id loop
        execute format('create table verdicts_parts.%I partition of verdicts.run_entities for values in (%s)',
                       'cr' || run.run_id || '_m_entities', run.run_id);
    end loop;
    insert into verdicts.run_entities select * from verdicts.run_entities_unpartitioned;
    drop table verdicts.run_entities_unpartitioned;

    for v in select * from views_over_run_entities order by depth, name loop
        execute format('create view %s as %s', v.name, v.definition);
    end loop;
end;
$$;

-- The partitions of a run in a table partitioned by run (check_results: the checks' leaves, children
-- first, then the run's own; run_entities: the run's)
drop function if exists verdicts.run_partitions(bigint);
create or replace function verdicts.run_partitions(p_run_id bigint,
                                                   p_table regclass default 'verdicts.check_results')
returns table (partition regclass, level integer)
language sql stable as $$
    select t.relid, t.level
    from pg_partition_tree(p_table) as t
    join pg_class as c on c.oid = t.relid
    where t.level > 0
      and starts_with(c.relname::text, 'cr' || p_run_id || '_')
    order by t.level desc
$$;

-- Deleting a run deletes its rows: its partitions are dropped, the other tables' rows deleted.
create or replace function verdicts.delete_run_rows() returns trigger
language plpgsql as $$
declare
    part regclass;
begin
    delete from verdicts.run_verdicts v using gone_runs g where v.run_id = g.run_id;
    for part in select p.partition
                from gone_runs g
                cross join lateral (select * from verdicts.run_partitions(g.run_id)
                                    union all
                                    select * from verdicts.run_partitions(g.run_id, 'verdicts.run_entities')) p
                where p.level = 1 loop
        execute format('drop table %s', part);
    end loop;
    delete from verdicts.run_checks c using gone_runs g where c.run_id = g.run_id;
    return null;
end;
$$;
