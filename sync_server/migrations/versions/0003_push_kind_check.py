"""PostgreSQL: a push refuses an envelope whose record id is stored under another kind.

A record id belongs to one kind for good. Laptops remember the highest revision they hold of a
record by its id; an envelope of another kind under the same id, with a high revision, would
make every laptop refuse that record's real updates as replays. The check runs inside the
push's statement, under the counter lock, so two pushes cannot slip two kinds in at once.
The same rule in Python for SQLite: ``service.SyncService._store_locked``.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# As in 0002, plus 'kind_mismatch': the record id is stored under another kind, or came
# earlier in this push under another kind. It is checked first (a pair stored under another
# kind was a 'conflict' before). Where a database from before this rule holds an id under two
# kinds, the kind of its lowest revision counts: the record's own (a reused id comes later,
# with a higher revision). One more index probe per item (the unique index on record id and
# revision, read from its first entry for the id).
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
    p_hlcs text[]
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
    v_kind_of text[];
    v_new bigint[] := array_fill(NULL::bigint, ARRAY[v_n]);
    v_outcome text[] := array_fill(NULL::text, ARRAY[v_n]);
    v_seq bigint[] := array_fill(NULL::bigint, ARRAY[v_n]);
    v_same boolean;
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

    -- Per item: the sequence number of the pair if stored already (one index probe each),
    -- the position of the pair's first occurrence in this push, and the kind its record id
    -- has: the stored one, else that of the id's first occurrence in this push.
    SELECT array_agg(e.seq ORDER BY k.ord), array_agg(k.first_ord ORDER BY k.ord),
           array_agg(coalesce(sk.kind, p_kinds[k.first_id_ord]) ORDER BY k.ord)
    INTO v_stored, v_first, v_kind_of
    FROM (
        SELECT u.ord::integer AS ord, u.record_id, u.revision,
               min(u.ord) OVER (PARTITION BY u.record_id, u.revision)::integer AS first_ord,
               min(u.ord) OVER (PARTITION BY u.record_id)::integer AS first_id_ord
        FROM unnest(p_record_ids, p_revisions) WITH ORDINALITY AS u(record_id, revision, ord)
    ) k
    LEFT JOIN LATERAL (
        SELECT s.seq FROM envelopes s
        WHERE s.record_id = k.record_id AND s.revision = k.revision
        LIMIT 1
    ) e ON true
    LEFT JOIN LATERAL (
        SELECT s.kind FROM envelopes s WHERE s.record_id = k.record_id
        ORDER BY s.revision LIMIT 1
    ) sk ON true;

    v_next := v_base;
    FOR i IN 1 .. v_n LOOP
        IF v_kind_of[i] <> p_kinds[i] THEN
            v_outcome[i] := 'kind_mismatch';
        ELSIF v_stored[i] IS NOT NULL THEN
            -- Stored before: the same content is a duplicate, other content a conflict.
            SELECT s.kind = p_kinds[i] AND s.key_id = p_key_ids[i] AND s.nonce = p_nonces[i]
                   AND s.ciphertext = p_ciphertexts[i] AND s.author_device = p_device
                   AND s.client_hlc = p_hlcs[i]
            INTO v_same FROM envelopes s WHERE s.seq = v_stored[i];
            v_outcome[i] := CASE WHEN v_same THEN 'duplicate' ELSE 'conflict' END;
            v_seq[i] := CASE WHEN v_same THEN v_stored[i] END;
        ELSIF v_first[i] = i THEN
            v_next := v_next + 1;
            v_new[i] := v_next;
            v_outcome[i] := 'accepted';
            v_seq[i] := v_next;
        ELSE
            -- A pair repeated within this push: compared with its first occurrence.
            j := v_first[i];
            IF p_kinds[j] = p_kinds[i] AND p_key_ids[j] = p_key_ids[i]
               AND p_nonces[j] = p_nonces[i] AND p_ciphertexts[j] = p_ciphertexts[i]
               AND p_hlcs[j] = p_hlcs[i] THEN
                v_outcome[i] := 'duplicate';
                v_seq[i] := v_new[j];
            ELSE
                v_outcome[i] := 'conflict';
            END IF;
        END IF;
    END LOOP;

    IF v_next > v_base THEN
        INSERT INTO envelopes (seq, record_id, kind, revision, key_id, nonce, ciphertext,
                               author_device, client_hlc, received_at)
        SELECT u.new_seq, u.record_id, u.kind, u.revision, u.key_id, u.nonce, u.ciphertext,
               p_device, u.hlc, p_received
        FROM unnest(v_new, p_record_ids, p_kinds, p_revisions, p_key_ids, p_nonces,
                    p_ciphertexts, p_hlcs)
                 AS u(new_seq, record_id, kind, revision, key_id, nonce, ciphertext, hlc)
        WHERE u.new_seq IS NOT NULL;
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PUSH_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        previous = importlib.import_module("sync_server.migrations.versions.0002_push_function")
        op.execute(previous.PUSH_FUNCTION)
