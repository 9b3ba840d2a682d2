# PyTorch 1.13 on one thread, the same operations as bench/suites: run with
# /usr/bin/python3 bench/pytorch_reference.py (Debian python3-torch; not part of
# npm run bench, which must not need PyTorch). Prints medians.
import torch, time, statistics
torch.set_num_threads(1); torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Linear(784,256), torch.nn.ReLU(), torch.nn.Linear(256,10))
opt = torch.optim.Adam(m.parameters(), lr=1e-3); lf = torch.nn.CrossEntropyLoss()
x = torch.rand(128,784); y = torch.randint(0,10,(128,))
def step():
    opt.zero_grad(); lf(m(x), y).backward(); opt.step()
for _ in range(50): step()
ts=[]
for _ in range(300):
    t=time.perf_counter(); step(); ts.append(time.perf_counter()-t)
print("torch %s step median %.3f ms, min %.3f ms" % (torch.__version__, statistics.median(ts)*1e3, min(ts)*1e3))
p = torch.zeros(10_000_000); p.grad = torch.randn(10_000_000); o = torch.optim.Adam([p])
for _ in range(3): o.step()
ts=[]
for _ in range(15):
    t=time.perf_counter(); o.step(); ts.append(time.perf_counter()-t)
print("torch Adam 10M median %.2f ms (%.1f GB/s)" % (statistics.median(ts)*1e3, 28e7/statistics.median(ts)/1e9))
z = torch.empty(10_000_000)
ts=[]
for _ in range(15):
    t=time.perf_counter(); z.normal_(); ts.append(time.perf_counter()-t)
print("torch normal_ 10M median %.2f ms (%.0f M/s)" % (statistics.median(ts)*1e3, 1e7/statistics.median(ts)/1e6))
a=torch.rand(512,512); b=torch.rand(512,512)
ts=[]
for _ in range(30):
    t=time.perf_counter(); a@b; ts.append(time.perf_counter()-t)
print("torch matmul 512 median %.2f ms (%.1f GFLOP/s)" % (statistics.median(ts)*1e3, 2*512**3/statistics.median(ts)/1e9))
