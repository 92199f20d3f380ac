"""Erasing envelopes: a tombstone of an erased record removes the record's earlier revisions.

Envelopes get an ``erases`` flag (``wire.Envelope.erases``). Storing one deletes, in the same
transaction, every stored envelope of its record with a lower revision; after it, only a
later tombstone of the record is stored (erasure is final). Envelopes stored before this
revision have the flag false: the server cannot tell an earlier tombstone from them.

PostgreSQL: ``wd_push_envelopes`` takes the flags as a tenth argument and applies that rule
(``service._storable`` is the same rule for SQLite), after the rule of 0003 (a record id
belongs to one kind for good: ``kind_mismatch``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OLD_SIGNATURE = "text, timestamptz, text[], text[], bigint[], text[], bytea[], bytea[], text[]"

# Outcomes as in 0003 ('kind_mismatch' first: the record id is stored under another kind, or
# came earlier in this push under another kind; the kind of its lowest stored revision counts),
# and besides: an item of a record that has a stored tombstone is a
# 'conflict' unless it is a tombstone of a higher revision; a tombstone below a stored
# revision of its record is a 'conflict' (the laptop pulls that revision and pushes a later
# tombstone). Within a push, an item sees the items before it (``v_prev``: the previous item
# of the same record).
PUSH_FUNCTION = """
CREATE OR REPLACE FUNCTION wd_push_envelopes(
    p_device text,
    p_received timestamptz,
    p_record_ids text[],
    p_kinds text[],
    p_revisions bigint[],
    p_key_ids text[],
    p_nonces bytea[],
    p_ciphertexts bytea[],
    p_hlcs text[],
    p_erases boolean[]
) RETURNS TABLE (idx integer, outcome text, seq bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_n integer := coalesce(array_length(p_record_ids, 1), 0);
    v_base bigint;
    v_next bigint;
    v_status text;
    v_stored bigint[];
    v_first integer[];
    v_prev integer[];
    v_top bigint[];
    v_erased bigint[];
    v_kind_of text[];
    v_new bigint[] := array_fill(NULL::bigint, ARRAY[v_n]);
    v_outcome text[] := array_fill(NULL::text, ARRAY[v_n]);
    v_seq bigint[] := array_fill(NULL::bigint, ARRAY[v_n]);
    v_purge boolean[] := array_fill(false, ARRAY[v_n]);
    v_same boolean;
    v_cur_top bigint;
    v_cur_erased bigint;
    j integer;
BEGIN
    -- The counter row first: pushes (and every other server write) queue here until commit,
    -- so sequence numbers are given in commit order and a reader never skips one. Nobody
    -- else stores envelopes while this push holds it.
    UPDATE seq_counter SET last_seq = last_seq WHERE id = 1 RETURNING last_seq INTO v_base;
    -- A statement of its own, so a fresh snapshot: a revocation committed while this push
    -- waited for the lock is seen, and the push refused.
    SELECT d.status INTO v_status FROM devices d WHERE d.id = p_device;
    IF v_status IS DISTINCT FROM 'approved' THEN
        RETURN QUERY SELECT 0, coalesce(v_status, 'unknown'), NULL::bigint;
        RETURN;
    END IF;
    IF v_n = 0 THEN
        RETURN;
    END IF;

    -- Per item: the sequence number of the pair if stored already, the position of the
    -- pair's first occurrence and of the record's previous item in this push, and the
    -- record's highest stored revision and its tombstone's revision (index probes each).
    SELECT array_agg(e.seq ORDER BY k.ord), array_agg(k.first_ord ORDER BY k.ord),
           array_agg(k.prev_ord ORDER BY k.ord), array_agg(r.top ORDER BY k.ord),
           array_agg(r.erased ORDER BY k.ord),
           array_agg(coalesce(sk.kind, p_kinds[k.first_id_ord]) ORDER BY k.ord)
    INTO v_stored, v_first, v_prev, v_top, v_erased, v_kind_of
    FROM (
        SELECT u.ord::integer AS ord, u.record_id, u.revision,
               min(u.ord) OVER (PARTITION BY u.record_id, u.revision)::integer AS first_ord,
               lag(u.ord) OVER (PARTITION BY u.record_id ORDER BY u.ord)::integer AS prev_ord,
               min(u.ord) OVER (PARTITION BY u.record_id)::integer AS first_id_ord
        FROM unnest(p_record_ids, p_revisions) WITH ORDINALITY AS u(record_id, revision, ord)
    ) k
    LEFT JOIN LATERAL (
        SELECT s.seq FROM envelopes s
        WHERE s.record_id = k.record_id AND s.revision = k.revision
        LIMIT 1
    ) e ON true
    LEFT JOIN LATERAL (
        SELECT max(s.revision) AS top, max(s.revision) FILTER (WHERE s.erases) AS erased
        FROM envelopes s WHERE s.record_id = k.record_id
    ) r ON true
    LEFT JOIN LATERAL (
        SELECT s.kind FROM envelopes s WHERE s.record_id = k.record_id
        ORDER BY s.revision LIMIT 1
    ) sk ON true;

    v_next := v_base;
    FOR i IN 1 .. v_n LOOP
        -- The record as the items before this one left it.
        IF v_prev[i] IS NULL THEN
            v_cur_top := coalesce(v_top[i], 0);
            v_cur_erased := v_erased[i];
        ELSE
            v_cur_top := v_top[v_prev[i]];
            v_cur_erased := v_erased[v_prev[i]];
        END IF;
        IF v_kind_of[i] <> p_kinds[i] THEN
            v_outcome[i] := 'kind_mismatch';
        ELSIF v_stored[i] IS NOT NULL THEN
            -- Stored before: the same content is a duplicate, other content a conflict.
            SELECT s.kind = p_kinds[i] AND s.key_id = p_key_ids[i] AND s.nonce = p_nonces[i]
                   AND s.ciphertext = p_ciphertexts[i] AND s.author_device = p_device
                   AND s.client_hlc = p_hlcs[i] AND s.erases = p_erases[i]
            INTO v_same FROM envelopes s WHERE s.seq = v_stored[i];
            v_outcome[i] := CASE WHEN v_same THEN 'duplicate' ELSE 'conflict' END;
            v_seq[i] := CASE WHEN v_same THEN v_stored[i] END;
        ELSIF v_first[i] = i THEN
            IF (p_erases[i] AND p_revisions[i] > v_cur_top)
               OR (NOT p_erases[i] AND v_cur_erased IS NULL) THEN
                v_next := v_next + 1;
                v_new[i] := v_next;
                v_outcome[i] := 'accepted';
                v_seq[i] := v_next;
                v_purge[i] := p_erases[i];
                v_cur_top := greatest(v_cur_top, p_revisions[i]);
                IF p_erases[i] THEN
                    v_cur_erased := p_revisions[i];
                END IF;
            ELSE
                v_outcome[i] := 'conflict';
            END IF;
        ELSE
            -- A pair repeated within this push: compared with its first occurrence.
            j := v_first[i];
            IF v_new[j] IS NOT NULL AND p_kinds[j] = p_kinds[i] AND p_key_ids[j] = p_key_ids[i]
               AND p_nonces[j] = p_nonces[i] AND p_ciphertexts[j] = p_ciphertexts[i]
               AND p_hlcs[j] = p_hlcs[i] AND p_erases[j] = p_erases[i] THEN
                v_outcome[i] := 'duplicate';
                v_seq[i] := v_new[j];
            ELSE
                v_outcome[i] := 'conflict';
            END IF;
        END IF;
        -- Kept per item, for the record's next item in this push.
        v_top[i] := v_cur_top;
        v_erased[i] := v_cur_erased;
    END LOOP;

    IF v_next > v_base THEN
        INSERT INTO envelopes (seq, record_id, kind, revision, key_id, nonce, ciphertext,
                               author_device, client_hlc, received_at, erases)
        SELECT u.new_seq, u.record_id, u.kind, u.revision, u.key_id, u.nonce, u.ciphertext,
               p_device, u.hlc, p_received, u.erases
        FROM unnest(v_new, p_record_ids, p_kinds, p_revisions, p_key_ids, p_nonces,
                    p_ciphertexts, p_hlcs, p_erases)
                 AS u(new_seq, record_id, kind, revision, key_id, nonce, ciphertext, hlc, erases)
        WHERE u.new_seq IS NOT NULL;
        -- An erased record's earlier revisions go with the tombstone's transaction.
        DELETE FROM envelopes s
        USING unnest(p_record_ids, p_revisions, v_purge) AS u(record_id, revision, purge)
        WHERE u.purge AND s.record_id = u.record_id AND s.revision < u.revision;
        UPDATE seq_counter SET last_seq = v_next WHERE id = 1;
    END IF;

    RETURN QUERY
    SELECT r.ord::integer, r.outcome, r.seq
    FROM unnest(v_outcome, v_seq) WITH ORDINALITY AS r(outcome, seq, ord)
    ORDER BY r.ord;
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "envelopes",
        sa.Column("erases", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS wd_push_envelopes({_OLD_SIGNATURE})")
        op.execute(PUSH_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS wd_push_envelopes({_OLD_SIGNATURE}, boolean[])")
        previous = importlib.import_module("sync_server.migrations.versions.0003_push_kind_check")
        op.execute(previous.PUSH_FUNCTION)
    with op.batch_alter_table("envelopes") as batch:
        batch.drop_column("erases")
