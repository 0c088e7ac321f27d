-- Makes FerretDB v1's PostgreSQL handler answer equality lookups from an index. Applied to its database by
-- infra/ferretdb.sh on every start (idempotent); needs a superuser (event triggers), as the local server has.
--
-- FerretDB pushes `{field: value}` down as `(_jsonb -> 'field') @> value` and creates btree indexes on
-- `(_jsonb -> 'field')`, which cannot serve `@>`: every lookup read the whole table (49 ms at 100k users).
-- A GIN `jsonb_path_ops` index on the same expression serves `@>`. It may return more rows than an equality
-- would (an array containing the value), which is safe: FerretDB applies every filter again to what SQL
-- returns. `fastupdate = off` keeps an insert's entries out of a pending list that each lookup would scan.

set client_min_messages = warning;

-- Adds a GIN companion for each `(_jsonb -> 'field')` column of a btree index, once per table and field.
create or replace function chirp_ferret_gin_companions(index_oid oid) returns void
language plpgsql as $$
declare
  tbl regclass;
  am text;
  expr text;
  k int;
  companion text;
begin
  select i.indrelid::regclass, a.amname into tbl, am
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am a on a.oid = c.relam
    where i.indexrelid = index_oid;
  if tbl is null or am <> 'btree' then return; end if;
  for k in 1 .. (select indnatts from pg_index where indexrelid = index_oid) loop
    expr := pg_get_indexdef(index_oid, k, true);
    continue when expr !~ '^\(?_jsonb -> ''[^'']+''::text\)?$';
    companion := left(replace(tbl::text, '.', '_'), 40) || '_' || left(md5(expr), 12) || '_gin';
    execute format(
      'create index if not exists %I on %s using gin ((%s) jsonb_path_ops) with (fastupdate = off)',
      companion, tbl, expr);
  end loop;
end $$;

create or replace function chirp_ferret_on_create_index() returns event_trigger
language plpgsql as $$
declare
  command record;
begin
  for command in select objid from pg_event_trigger_ddl_commands() where object_type = 'index' loop
    perform chirp_ferret_gin_companions(command.objid);
  end loop;
end $$;

drop event trigger if exists chirp_ferret_gin;
create event trigger chirp_ferret_gin on ddl_command_end when tag in ('CREATE INDEX')
  execute function chirp_ferret_on_create_index();

-- Indexes FerretDB created before the trigger existed.
do $$ begin
  perform chirp_ferret_gin_companions(i.indexrelid)
    from pg_index i join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace
    where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast');
end $$;

-- FerretDB's driver caches prepared statements; a generic plan cannot match `@>` with a parameter to the
-- GIN index, so each execution is planned with its value.
do $$ begin
  execute format('alter database %I set plan_cache_mode = force_custom_plan', current_database());
end $$;
