package nodes_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/weft/weft/nodes"
)

const redisType = "n8n-nodes-base.redis"

func redisCred(t *testing.T) (map[string]any, *redis.Client) {
	t.Helper()
	addr := external(t, "WEFT_TEST_REDIS_ADDR", "127.0.0.1:6379")
	host, port, _ := strings.Cut(addr, ":")
	var n int
	_, _ = fmtSscan(port, &n)
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("Redis at %s: %v (set WEFT_TEST_SKIP_EXTERNAL=1 to skip)", addr, err)
	}
	return map[string]any{"host": host, "port": float64(n), "database": 0.0}, c
}

func TestRedisOperations(t *testing.T) {
	cred, rc := redisCred(t)
	creds := credSource{"redis": cred}
	ctx := context.Background()
	k := uniqueName("weft:test")
	t.Cleanup(func() { rc.Del(ctx, k+":s", k+":h", k+":n", k+":l", k+":l2") })
	node := func(params map[string]any) *nodes.NodeInstance { return ioNode(redisType, 1, "redis", params) }

	// set with TTL, then get
	out := mustSucceed(t, runIO(t, node(obj("operation", "set", "key", k+":s", "value", "={{ $json.v }}", "expire", true, "ttl", 100.0)), creds, obj("v", "hello")))
	if asJSON(t, out) != `[{"v":"hello"}]` {
		t.Fatal(asJSON(t, out))
	}
	if ttl := rc.TTL(ctx, k+":s").Val(); ttl <= 0 || ttl > 100*time.Second {
		t.Fatalf("ttl %v", ttl)
	}
	out = mustSucceed(t, runIO(t, node(obj("operation", "get", "key", k+":s", "propertyName", "res.value", "keyType", "automatic")), creds))
	if asJSON(t, out) != `[{"res":{"value":"hello"}}]` {
		t.Fatal(asJSON(t, out))
	}
	// a hash from JSON
	mustSucceed(t, runIO(t, node(obj("operation", "set", "key", k+":h", "keyType", "hash", "value", `{"a":"1","b":2}`)), creds))
	out = mustSucceed(t, runIO(t, node(obj("operation", "get", "key", k+":h", "propertyName", "h", "options", obj("dotNotation", false))), creds))
	if asJSON(t, out) != `[{"h":{"a":"1","b":"2"}}]` {
		t.Fatal(asJSON(t, out))
	}
	// incr with expiry, per item
	out = mustSucceed(t, runIO(t, node(obj("operation", "incr", "key", k+":n", "expire", true, "ttl", 50.0)), creds, obj(), obj()))
	if asJSON(t, out) != `[{"`+k+`:n":1},{"`+k+`:n":2}]` {
		t.Fatal(asJSON(t, out))
	}
	if ttl := rc.TTL(ctx, k+":n").Val(); ttl <= 0 {
		t.Fatalf("incr ttl %v", ttl)
	}
	// push and pop
	mustSucceed(t, runIO(t, node(obj("operation", "push", "list", k+":l", "messageData", "={{ $json.m }}", "tail", true)), creds,
		obj("m", "one"), obj("m", `{"x":1}`)))
	if got := rc.LRange(ctx, k+":l", 0, -1).Val(); strings.Join(got, "|") != `one|{"x":1}` {
		t.Fatal(got)
	}
	out = mustSucceed(t, runIO(t, node(obj("operation", "pop", "list", k+":l", "tail", true, "propertyName", "p")), creds))
	if asJSON(t, out) != `[{"p":{"x":1}}]` {
		t.Fatal(asJSON(t, out))
	}
	// keys with and without values
	out = mustSucceed(t, runIO(t, node(obj("operation", "keys", "keyPattern", k+":[sl]")), creds))
	if asJSON(t, out) != `[{"`+k+`:l":["one"],"`+k+`:s":"hello"}]` {
		t.Fatal(asJSON(t, out))
	}
	out = mustSucceed(t, runIO(t, node(obj("operation", "keys", "keyPattern", k+":s", "getValues", false)), creds))
	if asJSON(t, out) != `[{"keys":["`+k+`:s"]}]` {
		t.Fatal(asJSON(t, out))
	}
	// publish reaches a subscriber
	sub := rc.Subscribe(ctx, k+":chan")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, runIO(t, node(obj("operation", "publish", "channel", k+":chan", "messageData", "={{ JSON.stringify($json) }}")), creds, obj("a", 1.0)))
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	msg, err := sub.ReceiveMessage(rctx)
	if err != nil || msg.Payload != `{"a":1}` {
		t.Fatalf("published %v, %v", msg, err)
	}
	// delete
	mustSucceed(t, runIO(t, node(obj("operation", "delete", "key", k+":s")), creds))
	if rc.Exists(ctx, k+":s").Val() != 0 {
		t.Fatal("not deleted")
	}
	out = mustSucceed(t, runIO(t, node(obj("operation", "get", "key", k+":s", "propertyName", "v")), creds))
	if asJSON(t, out) != `[{"v":null}]` {
		t.Fatal(asJSON(t, out))
	}
	// info
	out = mustSucceed(t, runIO(t, node(obj("operation", "info")), creds))
	if _, ok := out[0]["redis_version"]; !ok {
		t.Fatal(out)
	}
	// A wrong-type command is a node error, or an item under continueOnFail.
	rc.Set(ctx, k+":l2", "str", time.Minute)
	mustFail(t, runIO(t, node(obj("operation", "push", "list", k+":l2", "messageData", "x")), creds), "WRONGTYPE")
	n := node(obj("operation", "push", "list", k+":l2", "messageData", "x"))
	n.OnError = nodes.OnErrorContinueRegularOutput
	out = mustSucceed(t, runIO(t, n, creds))
	if !strings.Contains(asJSON(t, out), "WRONGTYPE") {
		t.Fatal(asJSON(t, out))
	}
}

func TestRedisCredentialTest(t *testing.T) {
	cred, rc := redisCred(t)
	ct := nodes.LookupCredentialType("redis")
	if err := ct.Test(context.Background(), cred); err != nil {
		t.Fatalf("good: %v", err)
	}
	// An ACL user with a password, to try a right and a wrong one.
	user := uniqueName("weft_u")
	if err := rc.Do(context.Background(), "ACL", "SETUSER", user, "on", ">R1ght-pw", "~*", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Do(context.Background(), "ACL", "DELUSER", user) })
	good := map[string]any{"host": cred["host"], "port": cred["port"], "user": user, "password": "R1ght-pw"}
	if err := ct.Test(context.Background(), good); err != nil {
		t.Fatalf("good password: %v", err)
	}
	bad := map[string]any{"host": cred["host"], "port": cred["port"], "user": user, "password": "s3cr3t-R3dis"}
	err := ct.Test(context.Background(), bad)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-R3dis") || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Fatalf("bad password: %v", err)
	}
	down := map[string]any{"host": "127.0.0.1", "port": 1.0, "password": "s3cr3t-R3dis"}
	e := mustFail(t, runIO(t, ioNode(redisType, 1, "redis", obj("operation", "get", "key", "x", "propertyName", "x")), credSource{"redis": down}), "Connection refused")
	if strings.Contains(asJSON(t, e), "s3cr3t-R3dis") {
		t.Fatal("secret in error")
	}
}
