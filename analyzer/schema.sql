-- schema.sql - the pcapstate case database (schema version 1); the user interface of the tool.
-- Times are INTEGER nanoseconds since the Unix epoch (UTC). Compiled into the binary (store.c runs
-- it once, in one transaction, on a new file; schema_doc.sql then describes every column).
-- The states table is seeded by store.c from tcpstate_name(), anomaly_kinds from the catalogue
-- the caller passes to store_open(): the C code owns those vocabularies, not this file.
PRAGMA application_id = 1346589524;  -- 0x50435354, "PCST"
PRAGMA user_version = 1;             -- schema version: bump with any incompatible change

-- Vocabulary checks of three or more values are written as OR chains, not IN lists: SQLite
-- (3.40) builds an ephemeral index for an IN list on every execution of an INSERT, which cost
-- 2 microseconds per row, more than the insert itself (tests/unit/test_store.c --bench).

CREATE TABLE states (
  code    INTEGER NOT NULL UNIQUE,   -- enum tcp_state (frozen numbering)
  name    TEXT PRIMARY KEY,
  meaning TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE anomaly_kinds (
  kind        TEXT PRIMARY KEY,
  severity    TEXT NOT NULL CHECK (severity = 'info' OR severity = 'warning' OR severity = 'error'),
  scope       TEXT NOT NULL CHECK (scope = 'flow' OR scope = 'host' OR scope = 'capture'),
  description TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- One row per capture file analysed. A row is 'running' from the moment its analysis starts
-- (committed on its own) until the transaction that writes the run's last rows marks it
-- finished: a row that is not 'running' always has all its flows, transitions and anomalies.
CREATE TABLE inputs (
  id                INTEGER PRIMARY KEY,
  path              TEXT NOT NULL,
  size              INTEGER CHECK (size >= 0),
  sha256            TEXT CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  format            TEXT CHECK (format IN ('pcap','pcapng')),
  compression       TEXT CHECK (compression = 'none' OR compression = 'gzip' OR compression = 'zstd' OR compression = 'xz'),
  link_type         INTEGER,
  snaplen           INTEGER,
  first_ts          INTEGER,
  last_ts           INTEGER,
  packets           INTEGER NOT NULL DEFAULT 0 CHECK (packets >= 0),
  tcp_packets       INTEGER NOT NULL DEFAULT 0 CHECK (tcp_packets >= 0),
  truncated_packets INTEGER NOT NULL DEFAULT 0 CHECK (truncated_packets >= 0),
  malformed_packets INTEGER NOT NULL DEFAULT 0 CHECK (malformed_packets >= 0),
  status            TEXT NOT NULL CHECK (status = 'running' OR status = 'complete' OR status = 'truncated' OR status = 'error'),
  error             TEXT,
  -- a capture that was read to the end (even a truncated one) is identified and typed
  CHECK (status = 'running' OR status = 'error' OR (sha256 IS NOT NULL AND format IS NOT NULL AND compression IS NOT NULL))
) STRICT;
CREATE INDEX inputs_sha256 ON inputs(sha256);
CREATE INDEX inputs_status ON inputs(status) WHERE status = 'running';

CREATE TABLE flows (
  id                   INTEGER PRIMARY KEY,
  uid                  TEXT NOT NULL CHECK (uid GLOB 'C?*'),
  community_id         TEXT NOT NULL CHECK (community_id GLOB '1:?*'),
  input_id             INTEGER NOT NULL REFERENCES inputs(id),
  ip_version           INTEGER NOT NULL CHECK (ip_version IN (4,6)),
  orig_addr            TEXT NOT NULL,
  orig_port            INTEGER NOT NULL CHECK (orig_port BETWEEN 0 AND 65535),
  resp_addr            TEXT NOT NULL,
  resp_port            INTEGER NOT NULL CHECK (resp_port BETWEEN 0 AND 65535),
  first_ts             INTEGER NOT NULL,
  last_ts              INTEGER NOT NULL,
  orig_pkts            INTEGER NOT NULL,
  resp_pkts            INTEGER NOT NULL,
  orig_bytes           INTEGER NOT NULL,
  resp_bytes           INTEGER NOT NULL,
  orig_state           TEXT NOT NULL REFERENCES states(name),
  resp_state           TEXT NOT NULL REFERENCES states(name),
  conn_state           TEXT NOT NULL CHECK (
                         conn_state = 'S0' OR conn_state = 'S1' OR conn_state = 'SF' OR conn_state = 'REJ' OR conn_state = 'S2' OR
                         conn_state = 'S3' OR conn_state = 'RSTO' OR conn_state = 'RSTR' OR conn_state = 'RSTOS0' OR conn_state = 'RSTRH' OR
                         conn_state = 'SH' OR conn_state = 'SHR' OR conn_state = 'OTH'
                       ),
  history              TEXT NOT NULL,
  midstream            INTEGER NOT NULL CHECK (midstream IN (0,1)),
  orig_retrans         INTEGER NOT NULL DEFAULT 0,
  resp_retrans         INTEGER NOT NULL DEFAULT 0,
  orig_dup_acks        INTEGER NOT NULL DEFAULT 0,
  resp_dup_acks        INTEGER NOT NULL DEFAULT 0,
  orig_keepalives      INTEGER NOT NULL DEFAULT 0,
  resp_keepalives      INTEGER NOT NULL DEFAULT 0,
  orig_zero_win_probes INTEGER NOT NULL DEFAULT 0,
  resp_zero_win_probes INTEGER NOT NULL DEFAULT 0,
  orig_missed_bytes    INTEGER NOT NULL DEFAULT 0,
  resp_missed_bytes    INTEGER NOT NULL DEFAULT 0,
  CHECK (first_ts <= last_ts)
) STRICT;
-- The indexes for analysts' questions (uid, addresses, times, states, kinds) are built by the
-- store once at the end of each run (store.c, bulk_indexes): inserting into a table is several
-- times faster without them.
CREATE INDEX flows_input ON flows(input_id);

-- Transition ids follow the order the analyzer recorded them: per endpoint, id order is time order.
CREATE TABLE transitions (
  id         INTEGER PRIMARY KEY,
  flow_id    INTEGER NOT NULL REFERENCES flows(id),
  endpoint   TEXT NOT NULL CHECK (endpoint IN ('orig','resp')),
  ts         INTEGER NOT NULL,
  input_id   INTEGER REFERENCES inputs(id),
  frame      INTEGER CHECK (frame >= 1),
  from_state TEXT NOT NULL REFERENCES states(name),
  to_state   TEXT NOT NULL REFERENCES states(name),
  trigger    TEXT NOT NULL,
  evidence   TEXT NOT NULL CHECK (evidence = 'seen' OR evidence = 'inferred' OR evidence = 'assumed' OR evidence = 'timeout' OR evidence = 'end'),
  CHECK (frame IS NULL OR input_id IS NOT NULL)
) STRICT;
CREATE INDEX transitions_flow ON transitions(flow_id, endpoint, ts);

-- Every row belongs to a flow or, for host- and capture-level findings, to an input (the one
-- being read when the finding was made), so a partial run can be removed and inputs merged.
CREATE TABLE anomalies (
  id        INTEGER PRIMARY KEY,
  flow_id   INTEGER REFERENCES flows(id),
  kind      TEXT NOT NULL REFERENCES anomaly_kinds(kind),
  endpoint  TEXT CHECK (endpoint IN ('orig','resp')),
  host      TEXT,
  ts        INTEGER NOT NULL,
  input_id  INTEGER REFERENCES inputs(id),
  frame     INTEGER CHECK (frame >= 1),
  severity  TEXT NOT NULL CHECK (severity = 'info' OR severity = 'warning' OR severity = 'error'),
  detail    TEXT NOT NULL,
  CHECK (flow_id IS NOT NULL OR input_id IS NOT NULL),
  CHECK (frame IS NULL OR input_id IS NOT NULL)
) STRICT;
CREATE INDEX anomalies_flow ON anomalies(flow_id);
CREATE INDEX anomalies_input ON anomalies(input_id);

CREATE TABLE schema_doc (
  tbl     TEXT NOT NULL,
  col     TEXT NOT NULL,   -- '' describes the table or view itself
  meaning TEXT NOT NULL,
  PRIMARY KEY (tbl, col)
) STRICT, WITHOUT ROWID;

-- Each endpoint's states as intervals: [start_ts, end_ts) with end_ts NULL for the last one.
CREATE VIEW state_intervals AS
SELECT t.flow_id, t.endpoint,
       CASE t.endpoint WHEN 'orig' THEN f.orig_addr ELSE f.resp_addr END AS host,
       CASE t.endpoint WHEN 'orig' THEN f.orig_port ELSE f.resp_port END AS port,
       CASE t.endpoint WHEN 'orig' THEN f.resp_addr ELSE f.orig_addr END AS peer_addr,
       CASE t.endpoint WHEN 'orig' THEN f.resp_port ELSE f.orig_port END AS peer_port,
       t.to_state AS state, t.ts AS start_ts,
       LEAD(t.ts) OVER (PARTITION BY t.flow_id, t.endpoint ORDER BY t.id) AS end_ts
FROM transitions t JOIN flows f ON f.id = t.flow_id;

-- Connections where an endpoint was still synchronized (or mid-handshake) when the capture ended.
CREATE VIEW open_at_end AS
SELECT f.*, (SELECT max(ts) FROM transitions t WHERE t.flow_id = f.id AND t.evidence = 'end') AS end_ts
FROM flows f
WHERE f.orig_state NOT IN ('CLOSED','TIME_WAIT','UNKNOWN') OR f.resp_state NOT IN ('CLOSED','TIME_WAIT','UNKNOWN');

-- Half-open connections found by the detectors, with the side that still believed.
CREATE VIEW half_open AS
SELECT f.id AS flow_id, f.uid, f.orig_addr, f.orig_port, f.resp_addr, f.resp_port,
       a.endpoint, a.ts, a.detail
FROM anomalies a JOIN flows f ON f.id = a.flow_id WHERE a.kind = 'half_open';

-- Handshake duration: first SYN seen to the originator's ESTABLISHED.
CREATE VIEW handshake_times AS
SELECT f.id AS flow_id, f.uid, f.orig_addr, f.orig_port, f.resp_addr, f.resp_port,
       s.ts AS syn_ts, e.ts AS established_ts, e.ts - s.ts AS handshake_ns
FROM flows f
JOIN transitions s ON s.flow_id = f.id AND s.endpoint = 'orig' AND s.to_state = 'SYN_SENT'
JOIN transitions e ON e.flow_id = f.id AND e.endpoint = 'orig' AND e.to_state = 'ESTABLISHED'
WHERE s.id = (SELECT min(id) FROM transitions x WHERE x.flow_id = f.id AND x.endpoint = 'orig' AND x.to_state = 'SYN_SENT')
  AND e.id = (SELECT min(id) FROM transitions y WHERE y.flow_id = f.id AND y.endpoint = 'orig' AND y.to_state = 'ESTABLISHED');

-- Per host and state: how many endpoints entered the state in each second (time series).
CREATE VIEW host_state_counts AS
SELECT host, state, (start_ts / 1000000000) AS second, count(*) AS endpoints
FROM state_intervals GROUP BY host, state, second;

-- Per host: how many of its endpoints ended in each state (a netstat -s like summary of the
-- final states; TIME_WAIT or CLOSE_WAIT piling up on one address shows here first).
CREATE VIEW per_host_state_counts AS
SELECT host, state, count(*) AS endpoints, count(DISTINCT flow_id) AS flows
FROM (SELECT id AS flow_id, orig_addr AS host, orig_state AS state FROM flows
      UNION ALL
      SELECT id, resp_addr, resp_state FROM flows)
GROUP BY host, state;

-- Flows with the anomalies found on them.
CREATE VIEW flows_by_anomaly AS
SELECT a.kind, a.severity, a.endpoint, a.ts, a.detail, f.id AS flow_id, f.uid,
       f.orig_addr, f.orig_port, f.resp_addr, f.resp_port, f.conn_state
FROM anomalies a JOIN flows f ON f.id = a.flow_id;
