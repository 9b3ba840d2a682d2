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

# PyTorch's MNIST example network (bench/suites/conv.js): one training step at
# batch 64 with Adadelta, and each convolution pass alone, in wall-clock and
# process CPU time (the machine may be shared).
import torch.nn.functional as F
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3, 1); self.conv2 = torch.nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = torch.nn.Dropout(0.25); self.dropout2 = torch.nn.Dropout(0.5)
        self.fc1 = torch.nn.Linear(9216, 128); self.fc2 = torch.nn.Linear(128, 10)
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        x = self.dropout2(F.relu(self.fc1(torch.flatten(self.dropout1(x), 1))))
        return F.log_softmax(self.fc2(x), dim=1)
def timed(fn, n, warm=3):
    for _ in range(warm): fn()
    ws, cs = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time(); fn(); ws.append(time.perf_counter()-t); cs.append(time.process_time()-c)
    return statistics.median(ws), statistics.median(cs)
net = Net(); nopt = torch.optim.Adadelta(net.parameters(), lr=1.0)
xb = torch.randn(64, 1, 28, 28); yb = torch.randint(0, 10, (64,))
def net_step():
    nopt.zero_grad(); F.nll_loss(net(xb), yb).backward(); nopt.step()
w, c = timed(net_step, 30)
print("torch MNIST Net step (batch 64, Adadelta): median %.2f ms wall, %.2f ms CPU" % (w*1e3, c*1e3))
for name, cin, hw, cout in [("conv1", 1, 28, 32), ("conv2", 32, 26, 64)]:
    xc = torch.randn(64, cin, hw, hw, requires_grad=True); wc = torch.randn(cout, cin, 3, 3, requires_grad=True); bc = torch.randn(cout, requires_grad=True)
    flops = 2*64*cout*cin*9*(hw-2)**2
    yc = F.conv2d(xc, wc, bc); gy = torch.randn_like(yc)
    fwd = timed(lambda: F.conv2d(xc, wc, bc), 20)
    # Backward of one conv: both gradients (PyTorch computes input and weight gradients in one call).
    def bwd():
        torch.autograd.grad(F.conv2d(xc, wc, bc), [xc, wc, bc] if name == "conv2" else [wc, bc], gy)
    both = timed(bwd, 20)
    print("torch %s forward: %.2f ms CPU (%.1f GFLOP/s); forward+backward: %.2f ms CPU" % (name, fwd[1]*1e3, flops/fwd[1]/1e9, both[1]*1e3))
