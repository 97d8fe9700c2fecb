import sys, numpy as np
if sys.argv[1] == 's':
    import spindle.nest as nest
else:
    import nest
seed = int(sys.argv[2])
nest.local_num_threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8
nest.rng_seed = seed
nest.verbosity = nest.VerbosityLevel.WARNING
import sudoku_net
from helpers_sudoku import get_puzzle, validate_solution
np.random.seed(seed)
puzzle = get_puzzle(4)
net = sudoku_net.SudokuNet(pop_size=5, input=puzzle, noise_rate=350)
perf = []
margins = []
for it in range(30):
    net.reset_spike_recorders()
    nest.Simulate(100)
    tr = net.get_spike_trains()
    counts = np.array([len(s['times']) for s in tr]).reshape(9, 9, 9)
    sol = counts.argmax(axis=2) + 1
    srt = np.sort(counts, axis=2)
    margins.append(np.mean(srt[:, :, -1] - srt[:, :, -2]))
    valid, cells, rows, cols = validate_solution(puzzle, sol)
    perf.append(1.0 if valid else (np.sum(cells) + np.sum(rows) + np.sum(cols)) / 27)
    if valid: break
print(sys.argv[1], seed, 'iters', len(perf), 'perf', ' '.join(f'{p:.2f}' for p in perf[:30:3]), 'margin', np.round(np.mean(margins), 1), 'min margin' )
