"""``nest.raster_plot``: a raster of recorded spikes with the population
rate under it, drawn with matplotlib as PyNEST draws it."""

import numpy as np

__all__ = ["from_device", "from_data", "from_file"]


def _plot(ts, senders, hist, hist_binwidth, grayscale, title, xlabel):
    import matplotlib.pyplot as plt

    color = "black" if grayscale else "b"
    fig = plt.figure()
    if hist:
        ax_raster = fig.add_axes([0.1, 0.3, 0.85, 0.6])
        ax_hist = fig.add_axes([0.1, 0.1, 0.85, 0.17], sharex=ax_raster)
    else:
        ax_raster = fig.add_axes([0.1, 0.1, 0.85, 0.8])
    ax_raster.plot(ts, senders, ".", color=color, markersize=2)
    ax_raster.set_ylabel("Neuron ID")
    if title:
        ax_raster.set_title(title)
    if not hist:
        ax_raster.set_xlabel(xlabel)
        return [ax_raster]
    plt.setp(ax_raster.get_xticklabels(), visible=False)
    n_neurons = max(len(np.unique(senders)), 1)
    t_lo = np.floor(ts.min()) if len(ts) else 0.0
    t_hi = np.ceil(ts.max()) if len(ts) else hist_binwidth
    edges = np.arange(t_lo, t_hi + hist_binwidth, hist_binwidth)
    counts, _ = np.histogram(ts, bins=edges)
    rate = counts * 1000.0 / (hist_binwidth * n_neurons)
    ax_hist.bar(edges[:-1], rate, width=hist_binwidth, align="edge",
                color="gray" if grayscale else "b", edgecolor="none")
    ax_hist.set_ylabel("Rate (Hz)")
    ax_hist.set_xlabel(xlabel)
    return [ax_raster, ax_hist]


def from_data(data, sel=None, hist=False, hist_binwidth=5.0, grayscale=False,
              title=None, xlabel="Time (ms)"):
    """Plot ``data``: an array with senders in column 0, times in column 1."""
    data = np.asarray(data)
    if data.size == 0:
        raise Exception("No spike data to plot.")
    return _plot(data[:, 1], data[:, 0], hist, hist_binwidth, grayscale, title, xlabel)


def from_file(fname, **kwargs):
    """Plot a ``.dat`` file (or a list of them) written by a spike recorder."""
    names = [fname] if isinstance(fname, str) else list(fname)
    rows = [np.loadtxt(f, comments="#", skiprows=3, ndmin=2) for f in names]
    return from_data(np.concatenate(rows), **kwargs)


def from_device(detec, plot_lid=False, **kwargs):
    """Plot the spikes spike recorder ``detec`` recorded."""
    if len(detec) != 1 or detec.get("model") != "spike_recorder":
        raise TypeError("from_device takes one spike_recorder")
    ev = detec.events
    if len(ev["times"]) == 0:
        raise Exception("No spike data to plot.")
    if kwargs.get("title") is None:
        kwargs["title"] = f"Raster plot from device '{detec.global_id}'"
    return _plot(ev["times"], ev["senders"], kwargs.pop("hist", False),
                 kwargs.pop("hist_binwidth", 5.0), kwargs.pop("grayscale", False),
                 kwargs.pop("title"), kwargs.pop("xlabel", "Time (ms)"))
