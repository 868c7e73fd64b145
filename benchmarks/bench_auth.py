"""What `--auth strict` and the browser guard cost per request.

    .venv/bin/python benchmarks/bench_auth.py              # 20 blocks of 200 calls (~10 s)
    .venv/bin/python benchmarks/bench_auth.py --blocks 50

Two runtimes in this process, on `:memory:`: one default (`--auth open`), one `--auth strict`
with the same key. One STS `GetCallerIdentity`, signed once by botocore's SigV4 signer (its
X-Amz-Date stays in the window for the run), goes through the whole AWS front door
(`wire.gateway.handle`: routing, parsing, the caller's identity, the store transaction, the XML)
of each, in alternating blocks; the difference of the medians is what verification costs
(reading the signature, rebuilding the canonical request, the key lookup, the HMAC). The guard's
check, which runs before every HTTP request, is timed on its own.

In-process on purpose: over HTTP, on the shared 2-core machine, the load of other sessions moved
the wall time of identical servers by several milliseconds, far more than what is measured here.
Target: verification adds under 0.25 ms per request (median). Exits 0 either way.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from common import machine
from trunkline.domain.identity import StaticKey
from trunkline.guard import GuardPolicy, inspect
from trunkline.runtime import Config, Runtime
from trunkline.wire import models
from trunkline.wire.gateway import HttpRequest, handle

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
HOST = "127.0.0.1:4590"
TARGET_MS = 0.25


def _signed_request() -> HttpRequest:
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = AWSRequest(method="POST", url=f"http://{HOST}/", data=BODY, headers=headers)
    SigV4Auth(Credentials(KEY, SECRET), "sts", "us-east-1").add_auth(request)
    sent = {name.lower(): value for name, value in request.headers.items()}
    return HttpRequest("POST", {**sent, "host": HOST}, "", BODY)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    print(machine())
    models.load_all()
    keys = (StaticKey(KEY, "123456789012", SECRET),)
    runtimes = {
        "default": Runtime(Config(static_keys=keys)),
        "strict": Runtime(Config(auth="strict", static_keys=keys)),
    }
    request = _signed_request()
    samples: dict[str, list[float]] = {name: [] for name in runtimes}
    try:
        for name, runtime in runtimes.items():  # warm-up, and proof that both answer
            for _ in range(args.size):
                assert handle(request, runtime).status == 200, name
        for block in range(args.blocks):
            order = list(runtimes.items()) if block % 2 else list(reversed(runtimes.items()))
            for name, runtime in order:
                for _ in range(args.size):
                    began = time.perf_counter()
                    handle(request, runtime)
                    samples[name].append(time.perf_counter() - began)
    finally:
        for runtime in runtimes.values():
            runtime.close()
    medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    for name, value in medians.items():
        print(f"GetCallerIdentity, {name:<8} median {value:.3f} ms per call (gateway to XML, in-process)")
    added = medians["strict"] - medians["default"]
    verdict = "met" if added < TARGET_MS else "NOT met"
    print(
        f"verification adds {added:.3f} ms ({medians['strict'] / medians['default']:.2f}x); target < {TARGET_MS} ms: {verdict}"
    )
    headers = {"host": HOST, "content-type": "application/x-www-form-urlencoded", "authorization": "AWS4-HMAC-SHA256 x"}
    count = 100_000
    per_check = timeit.timeit(lambda: inspect("POST", "/", headers, "", GuardPolicy()), number=count) / count
    print(f"guard check: {per_check * 1e6:.1f} us per request")


if __name__ == "__main__":
    main()
