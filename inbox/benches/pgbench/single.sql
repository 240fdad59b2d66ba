-- One delivery per transaction: the row the inbox stores for a new ENS event (same table,
-- key constraint and indexes), the ~1.4 KB JSON body sent by the client as a parameter.
\set id random(1, 9000000000000000000)
INSERT INTO ens_inbox (key, event_name, event_id, received_at, body, state, attempts,
                       next_attempt_at, duplicates)
VALUES ('pointsIssued:' || :client_id || '-' || :id, 'pointsIssued', :client_id || '-' || :id,
        now(), convert_to(:body, 'UTF8'), 'pending', 0, now(), 0)
ON CONFLICT (key) DO NOTHING;
