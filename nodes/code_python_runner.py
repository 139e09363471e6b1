# weft's Python Code node runner. It reads {"mode", "code", "items",
# "memory", "network"} as JSON on stdin, runs the code and writes
# {"result"|"each"|"error"} as JSON on the stdout it was started with;
# print() goes to stderr, the node's console.
import json
import sys


def _weft_run():
    out = sys.stdout
    sys.stdout = sys.stderr
    req = json.load(sys.stdin)

    if req.get("memory"):
        try:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (req["memory"], req["memory"]))
        except Exception:
            pass

    if not req.get("network"):
        import socket
        import _socket

        def _refuse(*args, **kwargs):
            raise PermissionError("network access is disabled in the Python Code node")

        class _NoSocket(socket.socket):
            def __init__(self, *args, **kwargs):
                _refuse()

        socket.socket = _NoSocket
        _socket.socket = _NoSocket
        for name in ("create_connection", "create_server", "getaddrinfo", "gethostbyname",
                     "gethostbyname_ex", "gethostbyaddr", "socketpair", "fromfd"):
            if hasattr(socket, name):
                setattr(socket, name, _refuse)
            if hasattr(_socket, name):
                setattr(_socket, name, _refuse)

    class _Obj(dict):
        """A dict whose keys are also attributes (item.json.name)."""

        def __getattr__(self, k):
            try:
                return self[k]
            except KeyError:
                raise AttributeError(k)

        def __setattr__(self, k, v):
            self[k] = v

        def __delattr__(self, k):
            del self[k]

    def wrap(v):
        if isinstance(v, dict):
            return _Obj({k: wrap(x) for k, x in v.items()})
        if isinstance(v, list):
            return [wrap(x) for x in v]
        return v

    items = [wrap(i) for i in req.get("items") or []]

    class _Input:
        def __init__(self, item=None):
            self.item = item

        def all(self):
            return items

        def first(self):
            return items[0] if items else None

        def last(self):
            return items[-1] if items else None

    lines = req.get("code") or ""
    body = "\n".join("    " + l for l in lines.splitlines()) or "    pass"
    src = "def _weft_user():\n" + body + "\n"

    def failure(e):
        line = 0
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<code>":
                line = tb.tb_lineno - 1
            tb = tb.tb_next
        if isinstance(e, SyntaxError) and e.filename == "<code>" and e.lineno:
            line = e.lineno - 1
        msg = type(e).__name__
        if str(e):
            msg += ": " + str(e)
        return {"message": msg, "line": line}

    try:
        compiled = compile(src, "<code>", "exec")
    except SyntaxError as e:
        json.dump({"error": failure(e)}, out)
        return

    def run(env):
        g = {"__name__": "__main__", "__builtins__": __builtins__}
        g.update(env)
        exec(compiled, g)
        return g["_weft_user"]()

    def plain(v):
        return json.loads(json.dumps(v, default=str))

    if req.get("mode") == "runOnceForEachItem":
        each = []
        for it in items:
            try:
                res = run({"_item": it, "item": it, "_json": it.get("json"),
                           "_input": _Input(it), "_items": items})
                each.append({"result": plain(res)})
            except MemoryError as e:
                each.append({"error": failure(e)})
            except Exception as e:
                each.append({"error": failure(e)})
        json.dump({"each": each}, out)
        return
    try:
        res = run({"_items": items, "items": items, "_input": _Input()})
        json.dump({"result": plain(res)}, out)
    except Exception as e:
        json.dump({"error": failure(e)}, out)


_weft_run()
