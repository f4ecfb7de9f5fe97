"""The SQLite schema, as an ordered list of migrations applied at start-up.

`PRAGMA user_version` records how many migrations a database has had; each migration runs in
one transaction, so a crash leaves the database at the previous version, never half-migrated.
Foreign keys are checked after each migration (they are off during it, so that a table can be
rebuilt — the way SQLite changes a CHECK constraint).
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: accounts, jobs, interviews, answers
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'hr', 'dept_head', 'reviewer')),
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        last_seen_at REAL NOT NULL
    );
    CREATE INDEX sessions_user ON sessions(user_id);
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        department TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('en', 'zh')),
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL
    );
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        think_seconds INTEGER NOT NULL CHECK (think_seconds BETWEEN 0 AND 600),
        answer_seconds INTEGER NOT NULL CHECK (answer_seconds BETWEEN 10 AND 1800),
        rubric TEXT,
        UNIQUE (job_id, position)
    );
    CREATE TABLE interviews (
        id INTEGER PRIMARY KEY,
        public_id TEXT NOT NULL UNIQUE,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        candidate_name TEXT NOT NULL,
        candidate_email TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('invited', 'consented', 'declined', 'in_progress', 'completed')),
        current_question INTEGER NOT NULL DEFAULT -1,
        consent_version TEXT,
        device_check TEXT,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        opened_at TEXT,
        consented_at TEXT,
        declined_at TEXT,
        started_at TEXT,
        completed_at TEXT
    );
    CREATE INDEX interviews_job ON interviews(job_id);
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
        question_id INTEGER NOT NULL REFERENCES questions(id),
        status TEXT NOT NULL CHECK (status IN ('scored', 'no_answer')),
        transcript TEXT NOT NULL,
        words TEXT NOT NULL,
        score INTEGER CHECK (score BETWEEN 0 AND 100),
        explanation TEXT NOT NULL,
        answer_started_at TEXT NOT NULL,
        answer_ended_at TEXT NOT NULL,
        answered_seconds REAL NOT NULL,
        audio_seconds REAL NOT NULL,
        finalized_at TEXT NOT NULL,
        UNIQUE (interview_id, question_id)
    );
    """,
    # 2: encrypted recordings, departments, TOTP, step-up, audit log, reviewers' ratings
    """
    ALTER TABLE interviews ADD COLUMN data_deleted_at TEXT;
    CREATE TABLE user_departments (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        department TEXT NOT NULL,
        PRIMARY KEY (user_id, department)
    );
    ALTER TABLE users ADD COLUMN totp_secret BLOB;
    ALTER TABLE users ADD COLUMN totp_key_version INTEGER;
    ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;
    ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
    ALTER TABLE sessions ADD COLUMN stepped_up_at REAL;
    CREATE TABLE recordings (
        id TEXT PRIMARY KEY,
        interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
        question_id INTEGER NOT NULL REFERENCES questions(id),
        wrapped_key BLOB,
        key_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        purged_at TEXT,
        UNIQUE (interview_id, question_id)
    );
    CREATE TABLE recording_parts (
        recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        part INTEGER NOT NULL,
        mime TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('writing', 'final', 'recovered_truncated')),
        file_name TEXT NOT NULL,
        answer_offset_seconds REAL NOT NULL,
        plaintext_size INTEGER,
        ciphertext_size INTEGER,
        ciphertext_sha256 TEXT,
        duration_seconds REAL,
        started_at TEXT NOT NULL,
        finalized_at TEXT,
        PRIMARY KEY (recording_id, part)
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER REFERENCES users(id),
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT
    );
    CREATE INDEX audit_log_at ON audit_log(at);
    CREATE TABLE answer_reviews (
        interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
        question_id INTEGER NOT NULL REFERENCES questions(id),
        reviewer_id INTEGER NOT NULL REFERENCES users(id),
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (interview_id, question_id, reviewer_id)
    );
    """,
    # 3: resume — disconnected/interrupted/expired statuses, interruptions, partial answers
    """
    CREATE TABLE interviews_v3 (
        id INTEGER PRIMARY KEY,
        public_id TEXT NOT NULL UNIQUE,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        candidate_name TEXT NOT NULL,
        candidate_email TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('invited', 'consented', 'declined', 'in_progress', 'disconnected',
                                               'interrupted', 'completed', 'expired')),
        current_question INTEGER NOT NULL DEFAULT -1,
        consent_version TEXT,
        device_check TEXT,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        opened_at TEXT,
        consented_at TEXT,
        declined_at TEXT,
        started_at TEXT,
        completed_at TEXT,
        data_deleted_at TEXT,
        interrupted_at TEXT,
        connection_epoch INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO interviews_v3 (id, public_id, job_id, candidate_name, candidate_email, token_hash, status,
        current_question, consent_version, device_check, created_by, created_at, opened_at, consented_at,
        declined_at, started_at, completed_at, data_deleted_at)
    SELECT id, public_id, job_id, candidate_name, candidate_email, token_hash, status, current_question,
        consent_version, device_check, created_by, created_at, opened_at, consented_at, declined_at, started_at,
        completed_at, data_deleted_at FROM interviews;
    DROP TABLE interviews;
    ALTER TABLE interviews_v3 RENAME TO interviews;
    CREATE INDEX interviews_job ON interviews(job_id);
    CREATE TABLE interruptions (
        id INTEGER PRIMARY KEY,
        interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
        question INTEGER NOT NULL,
        phase TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        offline_seconds REAL,
        outcome TEXT CHECK (outcome IN ('resumed', 'interrupted'))
    );
    CREATE INDEX interruptions_interview ON interruptions(interview_id);
    ALTER TABLE answers ADD COLUMN cut_short INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: the HR control center — staff invitations, job archive and question bank, invitation
    # expiry/revoke/resend, funnel timestamps, anomalies, webhooks through an outbox
    """
    ALTER TABLE users ADD COLUMN password_changed_at TEXT;
    ALTER TABLE users ADD COLUMN disabled_at TEXT;
    CREATE TABLE account_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        purpose TEXT NOT NULL CHECK (purpose IN ('activate', 'reset_password')),
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
    CREATE INDEX account_tokens_user ON account_tokens(user_id);

    ALTER TABLE jobs ADD COLUMN archived_at TEXT;
    ALTER TABLE jobs ADD COLUMN updated_at TEXT;
    CREATE TABLE bank_questions (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('en', 'zh')),
        competencies TEXT NOT NULL DEFAULT '[]',
        think_seconds INTEGER NOT NULL CHECK (think_seconds BETWEEN 0 AND 600),
        answer_seconds INTEGER NOT NULL CHECK (answer_seconds BETWEEN 10 AND 1800),
        rubric TEXT,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT,
        archived_at TEXT
    );
    ALTER TABLE questions ADD COLUMN competencies TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE questions ADD COLUMN bank_question_id INTEGER REFERENCES bank_questions(id) ON DELETE SET NULL;

    ALTER TABLE interviews ADD COLUMN expires_at TEXT;
    ALTER TABLE interviews ADD COLUMN revoked_at TEXT;
    ALTER TABLE interviews ADD COLUMN invite_sent_at TEXT;
    ALTER TABLE interviews ADD COLUMN invite_sent_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE interviews ADD COLUMN device_ok_at TEXT;
    ALTER TABLE interviews ADD COLUMN practiced_at TEXT;
    ALTER TABLE interviews ADD COLUMN invite_language TEXT CHECK (invite_language IN ('en', 'zh'));
    CREATE INDEX interviews_status ON interviews(status);

    CREATE TABLE anomalies (
        id INTEGER PRIMARY KEY,
        interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('interruption', 'long_silence', 'device_check_failed', 'short_answer',
                                           'repeated_reconnects')),
        question INTEGER,
        detail TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX anomalies_interview ON anomalies(interview_id);
    CREATE INDEX anomalies_at ON anomalies(at);

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        dispatched_at TEXT  -- fanned out to the subscriptions; NULL: not yet
    );
    CREATE INDEX outbox_undispatched ON outbox(id) WHERE dispatched_at IS NULL;
    CREATE TABLE webhooks (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        events TEXT NOT NULL,
        secret BLOB NOT NULL,
        secret_key_version INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT,
        secret_rotated_at TEXT
    );
    CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY,
        public_id TEXT NOT NULL UNIQUE,
        webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        retries_from INTEGER NOT NULL DEFAULT 0,  -- attempts before the last manual redelivery
        next_attempt_at REAL NOT NULL,
        created_at TEXT NOT NULL,
        last_attempt_at TEXT,
        last_status INTEGER,
        last_error TEXT,
        delivered_at TEXT,
        UNIQUE (webhook_id, outbox_id)
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
    CREATE TABLE webhook_attempts (
        id INTEGER PRIMARY KEY,
        delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        at TEXT NOT NULL,
        status_code INTEGER,
        error TEXT,
        response TEXT,  -- the start of the receiver's reply, truncated
        duration_ms INTEGER NOT NULL
    );
    CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id);
    """,
)
