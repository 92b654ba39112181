"""Issue 22's abuse against a running VecNN server, as a client would send it.

usage: python3 abuse_server.py PORT MODEL MAX_BATCH UPLOADS IMAGE.jpg

V2 binary inferences of 1..MAX_BATCH images, then UPLOADS concurrent POSTs of IMAGE to /v1 predict, then the
first request again; readiness is polled throughout. Prints every status, whether the known request's logits
changed, the readiness answers seen and the server's failure and admission counters. Needs numpy.
"""
import http.client, json, struct, sys, time, threading, random, os, subprocess
import numpy as np
PORT = int(sys.argv[1]); MODEL = sys.argv[2]; MAXN = int(sys.argv[3]); UPLOADS = int(sys.argv[4]); JPEG = sys.argv[5]
def req(method, path, body=None, headers={}, timeout=120):
    c = http.client.HTTPConnection('127.0.0.1', PORT, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse(); data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    except Exception as e:
        return None, {}, repr(e).encode()
    finally:
        c.close()
meta = json.loads(req('GET', f'/v2/models/{MODEL}')[2])
inp = meta['inputs'][0]; shape = inp['shape'][1:]
per = int(np.prod(shape))
def infer(x):
    n = x.shape[0]
    head = json.dumps({"inputs":[{"name":inp['name'],"shape":[n]+shape,"datatype":"FP32","parameters":{"binary_data_size":x.nbytes}}],
                       "outputs":[{"name":meta['outputs'][0]['name'],"parameters":{"binary_data":True}}]}).encode()
    st, h, data = req('POST', f'/v2/models/{MODEL}/infer', head + x.astype('<f4').tobytes(),
                      {'Inference-Header-Content-Length': str(len(head)), 'Content-Type':'application/octet-stream'})
    if st != 200:
        return st, data[:300]
    hl = int(h['inference-header-content-length'])
    return st, np.frombuffer(data[hl:], '<f4')
rng = np.random.RandomState(0)
known = rng.randn(1, *shape).astype(np.float32)
st, ref = infer(known); assert st == 200, (st, ref)
ready_log = []
stop = False
def poll():
    while not stop:
        s = req('GET', '/v2/health/ready', timeout=10)[0]; ready_log.append(s); time.sleep(0.2)
t = threading.Thread(target=poll); t.start()
statuses = {}
for n in range(1, MAXN + 1):
    st, out = infer(rng.randn(n, *shape).astype(np.float32))
    statuses[n] = st if st == 200 else (st, out)
    if st == 200: assert out.size == n * ref.size, (n, out.size)
print('batches', {k: v for k, v in statuses.items()})
jpeg = open(JPEG, 'rb').read()
up = []
def upload():
    up.append(req('POST', f'/v1/models/{MODEL}:predict', jpeg, {'Content-Type':'image/jpeg'}, timeout=300)[:3:2])
ts = [threading.Thread(target=upload) for _ in range(UPLOADS)]
t0 = time.time(); [x.start() for x in ts]; [x.join() for x in ts]
print('uploads in %.1f s' % (time.time() - t0), sorted((s, d[:160]) for s, d in up))
st, again = infer(known)
stop = True; t.join()
print('known request after:', st, 'max |diff| =', float(np.abs(again - ref).max()) if st == 200 else again)
print('readiness polls:', {s: ready_log.count(s) for s in set(ready_log)})
print('metrics:', [l for l in req('GET','/metrics')[2].decode().splitlines() if l.startswith(('vecnn_batch_failures','vecnn_decode_adm','vecnn_requests_total{endpoint="v1'))])
