internal import Foundation
internal import GRDB

/// The embedded store's migrations. Each migration is applied once, in order, in a transaction.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: people, opportunities, interactions") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE TABLE people (
                    pk INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('worker', 'learner', 'client')),
                    name TEXT,
                    latitude REAL,
                    longitude REAL,
                    capacity INTEGER NOT NULL CHECK (capacity >= 1),
                    profile TEXT NOT NULL
                );
                CREATE TABLE opportunities (
                    pk INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('mission', 'job', 'course', 'posting')),
                    client_id TEXT REFERENCES people(id) ON UPDATE CASCADE,
                    title TEXT,
                    latitude REAL,
                    longitude REAL,
                    starts_at INTEGER,
                    ends_at INTEGER,
                    slots INTEGER NOT NULL CHECK (slots >= 1),
                    status TEXT NOT NULL CHECK (status IN ('open', 'filled', 'closed')),
                    profile TEXT NOT NULL
                );
                CREATE INDEX opportunities_client ON opportunities(client_id);
                CREATE TABLE interactions (
                    pk INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    derived_id INTEGER NOT NULL,
                    person INTEGER NOT NULL REFERENCES people(pk),
                    opportunity INTEGER NOT NULL REFERENCES opportunities(pk),
                    type TEXT NOT NULL,
                    ts INTEGER NOT NULL,
                    value REAL,
                    details TEXT
                );
                CREATE TRIGGER interactions_append_only_update BEFORE UPDATE ON interactions
                BEGIN SELECT RAISE(ABORT, 'interactions are append-only'); END;
                CREATE TRIGGER interactions_append_only_delete BEFORE DELETE ON interactions
                BEGIN SELECT RAISE(ABORT, 'interactions are append-only'); END;
                CREATE TABLE synthetic_truth (
                    scenario TEXT PRIMARY KEY NOT NULL,
                    document TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: API keys, served lists, outcomes, feedback") { db in
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
                    name TEXT,
                    rate_limit INTEGER CHECK (rate_limit IS NULL OR rate_limit >= 1),
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE TABLE served_lists (
                    pk INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('person', 'opportunity')),
                    subject_id TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    answered_by TEXT NOT NULL,
                    model_version TEXT,
                    request_id TEXT,
                    key_id TEXT,
                    served_at INTEGER NOT NULL,
                    items TEXT NOT NULL
                );
                CREATE INDEX served_lists_subject ON served_lists(subject_kind, subject_id);
                CREATE TABLE outcomes (
                    pk INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    recommendation_id TEXT NOT NULL REFERENCES served_lists(id),
                    item_id TEXT NOT NULL,
                    rank INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    value REAL,
                    ts INTEGER NOT NULL
                );
                CREATE INDEX outcomes_recommendation ON outcomes(recommendation_id);
                CREATE TABLE feedback (
                    pk INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    recommendation_id TEXT REFERENCES served_lists(id),
                    person_id TEXT NOT NULL,
                    opportunity_id TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    comment TEXT,
                    ts INTEGER NOT NULL
                );
                CREATE INDEX feedback_recommendation ON feedback(recommendation_id);
                """)
        }
        // A list served again from the cache has the same items: they are stored once, under
        // the SHA-256 of their JSON, and each served list refers to them.
        migrator.registerMigration("v3: served list contents stored once") { db in
            try db.execute(sql: """
                CREATE TABLE served_contents (
                    digest BLOB PRIMARY KEY,
                    items TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE served_lists_v3 (
                    pk INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('person', 'opportunity')),
                    subject_id TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    answered_by TEXT NOT NULL,
                    model_version TEXT,
                    request_id TEXT,
                    key_id TEXT,
                    served_at INTEGER NOT NULL,
                    content BLOB NOT NULL REFERENCES served_contents(digest)
                );
                """)
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM served_lists ORDER BY pk")
            let content = try db.makeStatement(sql: "INSERT INTO served_contents (digest, items) VALUES (?, ?) ON CONFLICT(digest) DO NOTHING")
            let list = try db.makeStatement(sql: """
                INSERT INTO served_lists_v3 (pk, id, subject_kind, subject_id, mode, answered_by, model_version, request_id, key_id, served_at, content)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            while let row = try rows.next() {
                let items: String = row["items"]
                let digest = Data(ContentDigest.sha256(Array(items.utf8)))
                try content.execute(arguments: [digest, items])
                try list.execute(arguments: [
                    row["pk"], row["id"], row["subject_kind"], row["subject_id"], row["mode"], row["answered_by"], row["model_version"], row["request_id"],
                    row["key_id"], row["served_at"], digest,
                ])
            }
            try db.execute(sql: """
                DROP TABLE served_lists;
                ALTER TABLE served_lists_v3 RENAME TO served_lists;
                CREATE INDEX served_lists_subject ON served_lists(subject_kind, subject_id);
                """)
        }
        // Retractions find their target by this index: one lookup, not a scan of the log.
        migrator.registerMigration("v4: retractions") { db in
            try db.execute(sql: """
                CREATE INDEX interactions_retracts ON interactions(json_extract(details, '$.retracts')) WHERE type = 'retract';
                """)
        }
        // Key ids were the secret's first 8 hex digits: each gets a random id of 12 digits,
        // everywhere it is named (served lists). The secrets and their hashes are unchanged.
        migrator.registerMigration("v5: key ids independent of secrets") { db in
            try db.execute(sql: """
                CREATE TEMP TABLE key_ids AS SELECT id AS old, 'key-' || lower(hex(randomblob(6))) AS new FROM api_keys;
                UPDATE api_keys SET id = (SELECT new FROM key_ids WHERE old = api_keys.id);
                UPDATE served_lists SET key_id = (SELECT new FROM key_ids WHERE old = served_lists.key_id) WHERE key_id IN (SELECT old FROM key_ids);
                DROP TABLE key_ids;
                """)
        }
        // Retention deletes served lists by age, and their contents once no list refers to them.
        migrator.registerMigration("v6: served list retention") { db in
            try db.execute(sql: """
                CREATE INDEX served_lists_served_at ON served_lists(served_at);
                CREATE INDEX served_lists_content ON served_lists(content);
                """)
        }
        // Bid suggestions as they were made; what became of them is read from the event log.
        migrator.registerMigration("v7: bid suggestions") { db in
            try db.execute(sql: """
                CREATE TABLE bid_suggestions (
                    pk INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    opportunity_id TEXT NOT NULL,
                    person_id TEXT NOT NULL,
                    minimum REAL,
                    optimal REAL,
                    maximum REAL,
                    best_amount REAL,
                    best_hire_probability REAL CHECK (best_hire_probability IS NULL OR best_hire_probability BETWEEN 0 AND 1),
                    client_budget REAL,
                    market_average REAL,
                    person_average REAL,
                    win_rate REAL,
                    bid_count INTEGER NOT NULL CHECK (bid_count >= 0),
                    lowest_bid REAL,
                    current_bid REAL,
                    curve TEXT NOT NULL,
                    answered_by TEXT NOT NULL,
                    model_version TEXT,
                    request_id TEXT,
                    key_id TEXT,
                    suggested_at INTEGER NOT NULL
                );
                CREATE INDEX bid_suggestions_opportunity ON bid_suggestions(opportunity_id, person_id);
                CREATE INDEX bid_suggestions_person ON bid_suggestions(person_id);
                """)
        }
        // Experiments (their definition as JSON), and the experiment and arm of each served list.
        migrator.registerMigration("v8: experiments") { db in
            try db.execute(sql: """
                CREATE TABLE experiments (
                    pk INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    target TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('running', 'stopped')),
                    definition TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                ALTER TABLE served_lists ADD COLUMN experiment TEXT;
                ALTER TABLE served_lists ADD COLUMN arm TEXT;
                CREATE INDEX served_lists_experiment ON served_lists(experiment) WHERE experiment IS NOT NULL;
                """)
        }
        // Each worker's score as last computed (the whole set is replaced at once).
        migrator.registerMigration("v9: worker scores") { db in
            try db.execute(sql: """
                CREATE TABLE worker_scores (
                    pk INTEGER PRIMARY KEY,
                    person_id TEXT NOT NULL UNIQUE,
                    overall REAL NOT NULL CHECK (overall BETWEEN 0 AND 100),
                    score TEXT NOT NULL,
                    computed_at INTEGER NOT NULL
                );
                CREATE INDEX worker_scores_overall ON worker_scores(overall DESC, person_id);
                """)
        }
        return migrator
    }
}
