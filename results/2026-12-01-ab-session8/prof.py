import sys, time, numpy as np
t0 = time.time()
if sys.argv[1] == 's':
    import spindle.nest as nest
else:
    import nest
nest.local_num_threads = 8
nest.verbosity = nest.VerbosityLevel.WARNING
import sudoku_net
from helpers_sudoku import get_puzzle, validate_solution
t1 = time.time()
puzzle = get_puzzle(4)
orig_connect = nest.Connect
tc = [0.0]
def C(*a, **k):
    t = time.time(); r = orig_connect(*a, **k); tc[0] += time.time() - t; return r
pass
net = sudoku_net.SudokuNet(pop_size=5, input=puzzle, noise_rate=350)
t2 = time.time()
ts = tg = tr_ = 0
for it in range(30):
    a = time.time(); net.reset_spike_recorders(); b = time.time()
    nest.Simulate(100); c = time.time()
    tr = net.get_spike_trains(); d = time.time()
    ts += c - b; tg += d - c; tr_ += b - a
print(sys.argv[1], f'import {t1-t0:.2f} build {t2-t1:.2f} (connect {tc[0]:.2f}) simulate {ts:.2f} get {tg:.2f} reset {tr_:.2f}')
