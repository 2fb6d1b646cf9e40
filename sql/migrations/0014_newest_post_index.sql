-- An account's newest post, as M-V2 chooses it (newest first, then post_key: the same post every
-- time two share a minute), is the first entry of this index: one descent, no sort of the account's
-- posts. It replaces the index on (account_id, published_at desc), which its first columns serve.
create index if not exists stg_media__posts_newest_idx
    on staging.stg_media__posts (account_id, published_at desc, post_key);
drop index if exists staging.stg_media__posts_published_idx;
