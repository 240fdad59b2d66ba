-- 32 deliveries per transaction, one multi-row INSERT: the same rows as single.sql.
\set id random(1, 9000000000000000000)
INSERT INTO ens_inbox (key, event_name, event_id, received_at, body, state, attempts,
                       next_attempt_at, duplicates)
SELECT 'pointsIssued:' || :client_id || '-' || :id || '-' || n, 'pointsIssued',
       :client_id || '-' || :id || '-' || n, now(), convert_to(:body, 'UTF8'), 'pending', 0,
       now(), 0
FROM generate_series(1, 32) AS n
ON CONFLICT (key) DO NOTHING;
