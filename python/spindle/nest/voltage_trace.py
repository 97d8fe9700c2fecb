"""``nest.voltage_trace``: the membrane potential a voltmeter (or a
multimeter recording ``V_m``) recorded, one line per neuron, drawn with
matplotlib as PyNEST draws it."""

import array

import numpy

__all__ = ["from_device", "from_file"]


def from_file(fname, title=None, grayscale=False):
    """Plot a trace file (or a list of them): one column (one neuron),
    node id and potential, or node id, time and potential."""
    import matplotlib.pyplot as plt

    names = list(fname) if isinstance(fname, (list, tuple)) else [fname]
    data = numpy.concatenate([numpy.loadtxt(f) for f in names])
    line_style = "k" if grayscale else ""

    if data.ndim == 1:
        print("INFO: only found 1 column in the file. Assuming that only one neuron was recorded.")
        plotids = plt.plot(data, line_style)
        plt.xlabel("Time (steps of length interval)")
    elif data.shape[1] == 2:
        print("INFO: found 2 columns in the file. Assuming them to be node ID, pot.")
        traces = {}
        for node, v in data:
            traces.setdefault(node, []).append(v)
        plotids = [plt.plot(v, line_style, label="Neuron %i" % node) for node, v in traces.items()]
        plt.xlabel("Time (steps of length interval)")
        plt.legend()
    elif data.shape[1] == 3:
        traces, times = {}, []
        for node, t, v in data:
            traces.setdefault(node, []).append(v)
            if node == data[0][0]:
                times.append(t)
        plotids = [plt.plot(times, v, line_style, label="Neuron %i" % node)
                   for node, v in traces.items()]
        plt.xlabel("Time (ms)")
        plt.legend()
    else:
        raise ValueError(f"Inappropriate data shape {data.shape}!")

    plt.title(title or "Membrane potential from file '%s'" % fname)
    plt.ylabel("Membrane potential (mV)")
    plt.draw()
    return plotids


def from_device(detec, neurons=None, title=None, grayscale=False, timeunit="ms"):
    """Plot the membrane potential recorded by ``detec``, one voltmeter or
    one multimeter recording ``V_m``: one line per neuron (``neurons``: the
    node ids to plot, default all), labelled "Neuron <id>". Returns the
    lines, one list per neuron, as ``plt.plot`` gives them."""
    import matplotlib.pyplot as plt

    import spindle.nest as nest

    if len(detec) > 1:
        raise ValueError("Please provide a single 'voltmeter' or 'multimeter'.")

    type_id = nest.GetDefaults(detec.get("model"), "type_id")
    if type_id not in ("voltmeter", "multimeter"):
        raise TypeError("Please provide a 'voltmeter' or a 'multimeter' measuring V_m.")
    if type_id == "multimeter":
        if "V_m" not in detec.get("record_from"):
            raise ValueError("Please provide a 'multimeter' measuring 'V_m'.")
        if detec.get("record_to") != "memory" and len(detec.get("record_from")) > 1:
            raise ValueError("Please provide a 'multimeter' measuring only 'V_m' or record to memory.")
    if detec.get("record_to") != "memory":
        raise ValueError("Provided device neither records to ascii file nor to memory.")

    timefactor = 1.0
    if not detec.get("time_in_steps"):
        if timeunit == "s":
            timefactor = 1000.0
        else:
            timeunit = "ms"

    times, voltages = _from_memory(detec)
    if not times:
        raise ValueError("No events recorded.")
    if neurons is None:
        neurons = voltages.keys()

    line_style = "k" if grayscale else ""
    plotids = []
    for neuron in neurons:
        if neuron not in voltages:
            raise KeyError(f"neuron {neuron} was not recorded by this device")
        t = numpy.array(times[neuron]) / timefactor
        plotids.append(plt.plot(t, voltages[neuron], line_style, label="Neuron %i" % neuron))

    plt.title(title or "Membrane potential")
    plt.ylabel("Membrane potential (mV)")
    plt.xlabel("Steps" if detec.get("time_in_steps") else "Time (%s)" % timeunit)
    plt.legend(loc="best")
    plt.draw()
    return plotids


def _from_memory(detec):
    """Times and potentials by sender, as single-precision arrays (as
    PyNEST keeps them)."""
    ev = detec.get("events")
    if "V_m" not in ev:
        raise KeyError("'V_m': the device holds no potentials yet (they appear at Prepare or Simulate)")
    times, voltages = {}, {}
    for sender, t, v in zip(ev["senders"], ev["times"], ev["V_m"]):
        if sender not in voltages:
            voltages[sender] = array.array("f")
            times[sender] = array.array("f")
        voltages[sender].append(float(v))
        times[sender].append(float(t))
    return times, voltages
