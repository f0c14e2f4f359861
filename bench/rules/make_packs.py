#!/usr/bin/env python3
"""Writes the peers' signature packs from ONE spec, so the semgrep pack and the
ast-grep pack match exactly the same API families by the same names.

    python3 bench/rules/make_packs.py          # rewrite bench/rules/semgrep.yml and bench/rules/ast-grep/
    python3 bench/rules/make_packs.py --check  # exit 1 if the committed packs are stale

This is the "signature matcher" a user would write by hand (and the method of
the measurement paper): a call or member access counts when its NAME is a
known privileged API; ambiguous names (`exec`, `get`, `open`, `stat`, ...) only
when the receiver's text looks like the module (`fs`, `fs_1.default`,
`import_child_process`, `axios`, ...). No import resolution beyond what the
engine does by itself (semgrep resolves Python imports and JS `require`/
`import` aliases for qualified patterns; ast-grep resolves nothing).

Rule ids are `<class>-<lang>-<family>`: the resource class (network, system,
file, memory) is the first dash-separated part, which is what bench.py reads.
Written for this project; no rule is copied from any public rule set.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def recv(*names):
    """Receiver regex: the receiver's text contains one of `names` as a whole
    word (`fs`, `fs_1.default`, `import_fs.default`, `this.fs`, `fs.promises`)."""
    alt = "|".join(names)
    return r"(?i)^(.*[^a-z0-9])?(" + alt + r")([^a-z0-9].*)?$"


FS_RECV = recv("fs", "fsp", "fse", "fsextra", "fs_extra", "fsPromises", "fs_promises", "fsAsync", "fsSync", "graceful_fs", "gracefulFs", "nodeFs", "node_fs", "promises", "fs2")
CP_RECV = recv("child_process", "childProcess", "cp", "child_process_1", "node_child_process")
HTTP_RECV = recv("http", "https", "http2", "node_http", "node_https")
NET_RECV = recv("net", "tls", "dgram", "node_net", "node_tls", "node_dgram")
DNS_RECV = recv("dns", "node_dns")
VM_RECV = recv("vm", "node_vm")
AXIOS_RECV = recv("axios", "axios_1", "import_axios")
GOT_RECV = recv("got", "got_1", "import_got")
UNDICI_RECV = recv("undici", "undici_1", "import_undici")
FFI_RECV = recv("ffi", "ffi_napi", "ffiNapi", "koffi")

FS_READ = ["readFile", "readFileSync", "createReadStream", "read", "readSync", "open", "openSync", "watch", "watchFile", "readJson", "readJsonSync", "readlink", "readlinkSync"]
FS_WRITE = ["writeFile", "writeFileSync", "appendFile", "appendFileSync", "createWriteStream", "write", "writeSync", "copyFile", "copyFileSync", "cp", "cpSync", "rename", "renameSync", "mkdir", "mkdirSync", "mkdtemp", "mkdtempSync", "symlink", "symlinkSync", "truncate", "truncateSync", "chmod", "chmodSync", "chown", "chownSync", "utimes", "utimesSync", "outputFile", "outputFileSync", "writeJson", "writeJsonSync", "outputJson", "ensureDir", "ensureDirSync", "ensureFile", "copy", "copySync", "move", "moveSync", "mkdirp"]
FS_DELETE = ["unlink", "unlinkSync", "rm", "rmSync", "rmdir", "rmdirSync", "remove", "removeSync", "emptyDir", "emptyDirSync"]
FS_LIST = ["readdir", "readdirSync", "opendir", "opendirSync"]
FS_META = ["stat", "statSync", "lstat", "lstatSync", "fstat", "fstatSync", "exists", "existsSync", "access", "accessSync", "realpath", "realpathSync", "pathExists", "pathExistsSync"]
FS_ALL = FS_READ + FS_WRITE + FS_DELETE + FS_LIST + FS_META
# Names distinctive enough to count with any receiver, or bare after a destructuring import.
FS_DISTINCT = [n for n in FS_ALL if n.endswith("Sync") and n not in ("readSync", "writeSync")] + ["readFile", "writeFile", "appendFile", "createReadStream", "createWriteStream", "readdir", "mkdtemp", "copyFile", "outputFile", "readJson", "writeJson", "ensureDir", "pathExists"]

# (id, class, matchers). JS matchers:
#   ("member", names, receiver-regex or None)  X.name anywhere (call, promisify(X.name), (0, X.name)(...))
#   ("call", names)                            bare name(...)
#   ("mcall", names)                           X.name(...) called, any receiver
#   ("new", names, receiver-regex or None)     new name(...) / new X.name(...)
#   ("expr", code)                             a fixed expression, e.g. process.env
#   ("module", names)                          require("m") / import ... from "m" / import("m")
JS = [
    ("system-js-exec", "system", [
        ("member", ["exec", "fork", "execFile", "spawn"], CP_RECV),
        ("member", ["execSync", "execFileSync", "spawnSync"], None),
        ("call", ["exec", "execSync", "execFile", "execFileSync", "spawn", "spawnSync", "execa", "execaSync", "execaCommand"]),
        ("module", ["child_process", "node:child_process", "execa", "cross-spawn", "shelljs", "zx", "node-pty"]),
    ]),
    ("system-js-env", "system", [
        ("expr", "process.env"),
        ("member", ["config"], recv("dotenv", "dotenv_1", "import_dotenv")),
    ]),
    ("system-js-eval", "system", [
        ("call", ["eval", "Function"]),
        ("new", ["Function"], None),
        ("member", ["runInNewContext", "runInThisContext", "runInContext", "compileFunction"], None),
        ("new", ["Script"], VM_RECV),
    ]),
    ("system-js-info", "system", [
        ("member", ["homedir", "hostname", "userInfo", "networkInterfaces", "tmpdir"], None),
    ]),
    ("system-js-signal", "system", [
        ("expr", "process.kill"),
    ]),
    ("file-js-fs", "file", [
        ("member", FS_ALL, FS_RECV),
        ("member", FS_DISTINCT, None),
        ("call", FS_DISTINCT),
    ]),
    ("network-js-http", "network", [
        ("member", ["request", "get"], HTTP_RECV),
        ("member", ["get", "post", "put", "patch", "delete", "head", "request", "create"], AXIOS_RECV),
        ("member", ["get", "post", "put", "patch", "delete", "head", "stream", "extend"], GOT_RECV),
        ("member", ["fetch", "request", "stream"], UNDICI_RECV),
        ("member", ["fetch"], recv("globalThis", "window", "self", "global", "node_fetch", "node_fetch_1", "import_node_fetch")),
        ("call", ["fetch", "axios", "got"]),
        ("new", ["XMLHttpRequest", "EventSource"], None),
    ]),
    ("network-js-socket", "network", [
        ("member", ["connect", "createConnection", "Socket", "createSocket", "TLSSocket"], NET_RECV),
        ("member", ["lookup", "resolve", "resolve4", "resolve6", "resolveTxt", "resolveMx"], DNS_RECV),
        ("new", ["WebSocket", "WebSocketServer"], None),
        ("member", ["createServer"], recv("http", "https", "http2", "net", "tls", "node_http", "node_https", "node_net")),
        ("mcall", ["listen"]),
    ]),
    ("memory-js-native", "memory", [
        ("member", ["allocUnsafe", "allocUnsafeSlow"], None),
        ("member", ["Library", "load", "func"], FFI_RECV),
        ("new", ["SharedArrayBuffer"], None),
        ("expr", "process.dlopen"),
        ("module", ["ffi-napi", "@napi-ffi/ffi-napi", "ffi-rs", "koffi", "ref-napi", "ref-struct-di"]),
    ]),
]

# Python matchers:
#   ("q", module, names, ast-grep-receiver-regex, bare)  module.name(...) (semgrep resolves aliases
#        and from-imports); ast-grep: receiver text matches the regex; bare: also name(...)
#   ("ref", module, names, ast-grep-receiver-regex)  module.name used anywhere (os.environ)
#   ("method", names)   X.name(...) on any receiver (pathlib methods: no types here)
#   ("call", names)     bare name(...) (builtins)
#   ("module", names)   import m / from m import ...
def mod(*names):
    return "^(" + "|".join(n.replace(".", r"\.") for n in names) + ")$"


PY = [
    ("system-py-exec", "system", [
        ("q", "subprocess", ["run", "call"], mod("subprocess", "sp", "subp"), False),
        ("q", "subprocess", ["check_call", "check_output", "Popen", "getoutput", "getstatusoutput"], mod("subprocess", "sp", "subp"), True),
        ("q", "os", ["system", "popen", "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnv", "spawnve", "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp", "startfile"], mod("os"), False),
        ("q", "asyncio", ["create_subprocess_exec", "create_subprocess_shell"], mod("asyncio"), True),
        ("q", "pty", ["spawn"], mod("pty"), False),
        ("module", ["subprocess", "pexpect", "sh", "plumbum"]),
    ]),
    ("system-py-eval", "system", [
        ("call", ["eval", "exec", "__import__"]),
        ("q", "importlib", ["import_module"], mod("importlib"), True),
        ("q", "pickle", ["load", "loads"], mod("pickle", "cPickle"), False),
        ("q", "marshal", ["load", "loads"], mod("marshal"), False),
    ]),
    ("system-py-env", "system", [
        ("ref", "os", ["environ", "environb"], mod("os")),
        ("q", "os", ["getenv", "putenv", "unsetenv"], mod("os"), True),
        ("q", "dotenv", ["load_dotenv", "dotenv_values"], mod("dotenv"), True),
    ]),
    ("system-py-info", "system", [
        ("q", "os.path", ["expanduser"], mod("os.path", "path", "osp"), True),
        ("q", "pathlib.Path", ["home", "cwd"], mod("Path", "pathlib.Path"), False),
        ("q", "socket", ["gethostname", "getfqdn"], mod("socket"), True),
        ("q", "getpass", ["getuser"], mod("getpass"), True),
        ("q", "os", ["getcwd", "getlogin", "uname", "getuid"], mod("os"), False),
        ("q", "platform", ["system", "node", "platform", "machine", "release", "uname", "version"], mod("platform"), False),
    ]),
    ("system-py-signal", "system", [
        ("q", "os", ["kill", "killpg"], mod("os"), False),
    ]),
    ("file-py-fs", "file", [
        ("call", ["open"]),
        ("q", "io", ["open"], mod("io"), False),
        ("q", "codecs", ["open"], mod("codecs"), False),
        ("q", "os", ["remove", "unlink", "rmdir", "removedirs", "rename", "renames", "replace", "makedirs", "mkdir", "listdir", "scandir", "walk", "stat", "lstat", "chmod", "chown", "access", "truncate", "symlink", "link", "open", "fdopen", "utime"], mod("os"), False),
        ("q", "os.path", ["exists", "isfile", "isdir", "getsize", "getmtime", "realpath"], mod("os.path", "osp"), False),
        ("q", "shutil", ["copy", "move", "disk_usage"], mod("shutil"), False),
        ("q", "shutil", ["rmtree", "copy2", "copyfile", "copytree", "make_archive", "unpack_archive", "copyfileobj"], mod("shutil"), True),
        ("q", "tempfile", ["mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "TemporaryDirectory", "SpooledTemporaryFile", "mktemp"], mod("tempfile"), True),
        ("q", "glob", ["glob", "iglob"], mod("glob"), False),
        ("q", "aiofiles", ["open"], mod("aiofiles"), False),
        ("q", "zipfile", ["ZipFile"], mod("zipfile"), True),
        ("q", "tarfile", ["open"], mod("tarfile"), False),
        ("method", ["read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "rglob", "unlink", "touch", "rmdir", "mkdir"]),
    ]),
    ("network-py-http", "network", [
        ("q", "requests", ["get", "post", "put", "patch", "delete", "head", "options", "request", "Session", "session"], mod("requests"), False),
        ("q", "httpx", ["get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "Client", "AsyncClient"], mod("httpx"), False),
        ("q", "aiohttp", ["ClientSession", "request", "TCPConnector"], mod("aiohttp"), True),
        ("q", "urllib.request", ["Request"], mod("urllib.request", "request", "urllib2"), False),
        ("q", "urllib.request", ["urlopen", "urlretrieve", "build_opener"], mod("urllib.request", "request", "urllib2"), True),
        ("q", "http.client", ["HTTPConnection", "HTTPSConnection"], mod("http.client", "client", "httplib"), True),
        ("q", "urllib3", ["request"], mod("urllib3"), False),
        ("q", "urllib3", ["PoolManager", "HTTPConnectionPool", "HTTPSConnectionPool"], mod("urllib3"), True),
    ]),
    ("network-py-socket", "network", [
        ("q", "socket", ["socket", "create_server", "getaddrinfo"], mod("socket"), False),
        ("q", "socket", ["create_connection", "gethostbyname"], mod("socket"), True),
        ("q", "asyncio", ["open_connection", "start_server", "open_unix_connection"], mod("asyncio"), True),
        ("q", "websockets", ["connect", "serve"], mod("websockets", "ws"), False),
        ("q", "smtplib", ["SMTP", "SMTP_SSL"], mod("smtplib"), True),
        ("q", "ftplib", ["FTP", "FTP_TLS"], mod("ftplib"), True),
        ("q", "uvicorn", ["run"], mod("uvicorn"), False),
        ("q", "ssl", ["wrap_socket"], mod("ssl"), False),
    ]),
    ("memory-py-native", "memory", [
        # typing.cast, pointer(), byref() are too common as bare names: only through `ctypes.`
        ("q", "ctypes", ["cdll", "windll", "pythonapi", "cast", "memset", "pointer", "byref", "addressof"], mod("ctypes"), False),
        ("q", "ctypes", ["CDLL", "PyDLL", "WinDLL", "OleDLL", "CFUNCTYPE", "memmove", "string_at", "create_string_buffer"], mod("ctypes"), True),
        ("ref", "ctypes", ["cdll", "windll", "pythonapi"], mod("ctypes")),
        ("q", "cffi", ["FFI"], mod("cffi"), False),
        ("q", "mmap", ["mmap"], mod("mmap"), False),
        ("q", "multiprocessing.shared_memory", ["SharedMemory", "ShareableList"], mod("shared_memory", "multiprocessing.shared_memory"), True),
        ("module", ["ctypes", "cffi", "mmap"]),
    ]),
]


def alt(names):
    return "^(" + "|".join(sorted(set(names))) + ")$"


# ------------------------------------------------------------------ semgrep
def semgrep_js(rid, cls, matchers):
    either = []
    for m in matchers:
        t = m[0]
        if t == "member":
            for n in sorted(set(m[1])):
                p = {"pattern": f"$X.{n}"}
                either.append({"patterns": [p, {"metavariable-regex": {"metavariable": "$X", "regex": m[2]}}]} if m[2] else p)
        elif t == "call":
            either += [{"pattern": f"{n}(...)"} for n in sorted(set(m[1]))]
        elif t == "mcall":
            either += [{"pattern": f"$X.{n}(...)"} for n in sorted(set(m[1]))]
        elif t == "new":
            for n in sorted(set(m[1])):
                if m[2]:
                    either.append({"patterns": [{"pattern": f"new $X.{n}(...)"}, {"metavariable-regex": {"metavariable": "$X", "regex": m[2]}}]})
                else:
                    either += [{"pattern": f"new {n}(...)"}, {"pattern": f"new $X.{n}(...)"}]
        elif t == "expr":
            either.append({"pattern": m[1]})
        elif t == "module":
            for n in m[1]:
                either += [{"pattern": f'require("{n}")'}, {"pattern": f'import "{n}"'}, {"pattern": f'import("{n}")'}]
    return {"id": rid, "languages": ["javascript", "typescript"], "severity": "INFO", "message": f"{cls}: {rid}", "metadata": {"resource": cls}, "pattern-either": either}


def semgrep_py(rid, cls, matchers):
    either = []
    for m in matchers:
        t = m[0]
        if t == "q":
            for n in sorted(set(m[2])):
                either.append({"pattern": f"{m[1]}.{n}(...)"})
                if m[4]:
                    either.append({"pattern": f"{n}(...)"})
        elif t == "ref":
            either += [{"pattern": f"{m[1]}.{n}"} for n in sorted(set(m[2]))]
        elif t == "method":
            either += [{"pattern": f"$P.{n}(...)"} for n in sorted(set(m[1]))]
        elif t == "call":
            either += [{"pattern": f"{n}(...)"} for n in sorted(set(m[1]))]
        elif t == "module":
            for n in m[1]:
                either += [{"pattern": f"import {n}"}, {"pattern": f"from {n} import $X"}]
    return {"id": rid, "languages": ["python"], "severity": "INFO", "message": f"{cls}: {rid}", "metadata": {"resource": cls}, "pattern-either": either}


# ------------------------------------------------------------------ ast-grep
def ag_js(matchers, lang):
    anyr = []
    for m in matchers:
        t = m[0]
        if t == "member":
            r = {"kind": "member_expression", "has": {"field": "property", "regex": alt(m[1])}}
            if m[2]:
                r = {"all": [r, {"has": {"field": "object", "regex": m[2]}}]}
            anyr.append(r)
        elif t == "call":
            anyr.append({"kind": "call_expression", "has": {"field": "function", "kind": "identifier", "regex": alt(m[1])}})
        elif t == "mcall":
            anyr.append({"kind": "call_expression", "has": {"field": "function", "kind": "member_expression", "has": {"field": "property", "regex": alt(m[1])}}})
        elif t == "new":
            if m[2]:
                anyr.append({"kind": "new_expression", "has": {"field": "constructor", "kind": "member_expression", "all": [{"has": {"field": "property", "regex": alt(m[1])}}, {"has": {"field": "object", "regex": m[2]}}]}})
            else:
                anyr.append({"kind": "new_expression", "has": {"field": "constructor", "regex": r"(^|\.)(" + "|".join(m[1]) + ")$"}})
        elif t == "expr":
            anyr.append({"pattern": m[1]})
        elif t == "module":
            names = "|".join(n.replace("/", r"\/").replace(".", r"\.") for n in m[1])
            lit = {"kind": "string", "regex": "^['\"](" + names + ")['\"]$"}
            anyr.append({"kind": "import_statement", "has": {"field": "source", **lit}})
            anyr.append({"kind": "call_expression", "all": [{"has": {"field": "function", "regex": "^(require|import)$"}}, {"has": {"field": "arguments", "has": lit}}]})
    return {"any": anyr}


def ag_py(matchers):
    anyr = []
    for m in matchers:
        t = m[0]
        if t == "q":
            anyr.append({"kind": "call", "has": {"field": "function", "kind": "attribute", "all": [{"has": {"field": "object", "regex": m[3]}}, {"has": {"field": "attribute", "regex": alt(m[2])}}]}})
            if m[4]:
                anyr.append({"kind": "call", "has": {"field": "function", "kind": "identifier", "regex": alt(m[2])}})
        elif t == "ref":
            anyr.append({"kind": "attribute", "all": [{"has": {"field": "object", "regex": m[3]}}, {"has": {"field": "attribute", "regex": alt(m[2])}}]})
        elif t == "method":
            anyr.append({"kind": "call", "has": {"field": "function", "kind": "attribute", "has": {"field": "attribute", "regex": alt(m[1])}}})
        elif t == "call":
            anyr.append({"kind": "call", "has": {"field": "function", "kind": "identifier", "regex": alt(m[1])}})
        elif t == "module":
            names = "|".join(n.replace(".", r"\.") for n in m[1])
            anyr.append({"kind": "import_statement", "has": {"field": "name", "regex": "^(" + names + ")(\\.|$| as )"}})
            anyr.append({"kind": "import_from_statement", "has": {"field": "module_name", "regex": "^(" + names + ")(\\.|$)"}})
    return {"any": anyr}


def dump(obj):
    # JSON is valid YAML; it keeps regexes unambiguous and needs no YAML library.
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


def outputs():
    files = {}
    rules = [semgrep_js(*r) for r in JS] + [semgrep_py(*r) for r in PY]
    files["semgrep.yml"] = "# Generated by make_packs.py from its spec; edit the spec, not this file.\n" + dump({"rules": rules})
    files["ast-grep/sgconfig.yml"] = "# Generated by make_packs.py.\n" + dump({"ruleDirs": ["rules"]})
    for lang, suffix in (("JavaScript", "js"), ("TypeScript", "ts"), ("Tsx", "tsx")):
        docs = []
        for rid, cls, ms in JS:
            rid2 = rid.replace("-js-", f"-{suffix}-")
            docs.append(dump({"id": rid2, "language": lang, "severity": "info", "message": f"{cls}: {rid}", "metadata": {"resource": cls}, "rule": ag_js(ms, lang)}))
        files[f"ast-grep/rules/{suffix}.yml"] = "# Generated by make_packs.py.\n" + "---\n".join(docs)
    docs = [dump({"id": rid, "language": "Python", "severity": "info", "message": f"{cls}: {rid}", "metadata": {"resource": cls}, "rule": ag_py(ms)}) for rid, cls, ms in PY]
    files["ast-grep/rules/py.yml"] = "# Generated by make_packs.py.\n" + "---\n".join(docs)
    return files


def main():
    check = "--check" in sys.argv
    stale = []
    for rel, text in outputs().items():
        path = os.path.join(HERE, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            stale.append(rel)
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
    if check and stale:
        print("stale rule packs (run bench/rules/make_packs.py): " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)
    if not check:
        print("wrote " + (", ".join(stale) if stale else "nothing (up to date)"))


if __name__ == "__main__":
    main()
