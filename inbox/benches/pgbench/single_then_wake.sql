-- single.sql followed by the inbox's wake-up since migration 2: a NOTIFY in a transaction of
-- its own after the insert has committed (the inbox sends at most one per batch, coalesced
-- while one is in flight; this sends one per row, the worst case).
\set id random(1, 9000000000000000000)
INSERT INTO ens_inbox (key, event_name, event_id, received_at, body, state, attempts,
                       next_attempt_at, duplicates)
VALUES ('pointsIssued:' || :client_id || '-' || :id, 'pointsIssued', :client_id || '-' || :id,
        now(), convert_to(:body, 'UTF8'), 'pending', 0, now(), 0)
ON CONFLICT (key) DO NOTHING;
SELECT set_config('synchronous_commit', 'off', true), pg_notify('ens_inbox', '');
