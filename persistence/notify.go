package persistence

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/weft/weft/migrations"
)

// ErrNoNotify is returned by Notify and Listen on SQLite, which has no
// cross-process notifications.
var ErrNoNotify = errors.New("LISTEN/NOTIFY needs PostgreSQL")

// MaxNotifyPayload is the largest payload PostgreSQL's NOTIFY accepts
// (8,000 bytes, less one for its terminator).
const MaxNotifyPayload = 7999

// NotifyChannel returns the name of a channel for this database: base on
// the public schema, base_<schema> otherwise, so installations (and tests)
// sharing a server in different schemas do not hear each other. Channels
// are database-wide in PostgreSQL, not per schema.
func (db *DB) NotifyChannel(ctx context.Context, base string) (string, error) {
	if db.dialect != migrations.Postgres {
		return base, nil
	}
	var schema string
	if err := db.gorm.WithContext(ctx).Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		return "", err
	}
	if schema == "" || schema == "public" {
		return base, nil
	}
	ch := base + "_" + schema
	if len(ch) > 63 {
		ch = ch[:63]
	}
	return ch, nil
}

// Notify sends payload to the listeners of channel (pg_notify: delivered
// when the statement commits, in order for one session). Payloads over
// MaxNotifyPayload fail.
func (db *DB) Notify(ctx context.Context, channel, payload string) error {
	if db.dialect != migrations.Postgres {
		return ErrNoNotify
	}
	return db.gorm.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", channel, payload).Error
}

// Listen calls fn with the payload of every notification on channel until
// ctx ends, on a dedicated connection (not one of the pool's). After a
// connection failure it reconnects, waiting up to 5 s between attempts;
// notifications sent while it was away are lost. ready, when not nil, is
// called each time the LISTEN is in place. Listen returns ctx's error.
func (db *DB) Listen(ctx context.Context, channel string, ready func(), fn func(payload string), onErr func(error)) error {
	if db.dialect != migrations.Postgres {
		return ErrNoNotify
	}
	wait := 100 * time.Millisecond
	for {
		err := db.listenOnce(ctx, channel, ready, fn)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if onErr != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func (db *DB) listenOnce(ctx context.Context, channel string, ready func(), fn func(string)) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return err
	}
	defer func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = conn.Close(c)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		fn(n.Payload)
	}
}
