//! Unit tests of `ring`.

use super::*;

#[test]
fn channels_by_sign_and_cleared_on_read() {
    let mut r = InputRing::new(3, 4);
    r.add(5, 1, 2.0);
    r.add(5, 1, -1.0);
    r.row_mut(5, 3.0)[1] += 3.0;
    assert_eq!(r.take(5, 1), (5.0, -1.0));
    assert_eq!(r.take(5, 1), (0.0, 0.0));
    // step 9 shares the slot of step 5 and 1
    r.add(9, 2, 1.0);
    assert_eq!(r.take(1, 2), (1.0, 0.0));
}

#[test]
fn count_groups_read_as_weight_times_count() {
    let mut r = InputRing::with_counts(4, 3, &[2.5, -1.0]);
    r.count_row_mut(0, 4)[1] += 3;
    r.count_row_mut(1, 4)[1] += 2;
    r.add(4, 1, 0.5);
    let rows = {
        let mut v = Vec::new();
        r.row_offsets(4, 0, 1, &mut v);
        v
    };
    let (mut ex, mut inh) = ([1.0, 0.0], [0.0, 0.0]);
    r.take_slice::<2>(&rows, 0, 0, 1, &mut ex, &mut inh, &mut [0.0; 4]);
    assert_eq!((ex, inh), ([1.0, 0.5 + 7.5], [0.0, -2.0]));
    assert_eq!(r.take(4, 1), (0.0, 0.0));
    r.count_row_mut(0, 5)[3] += 1;
    assert_eq!(r.take(5, 3), (2.5, 0.0));
}

/// Random bitmaps and single events into the planes of a ring, against
/// plain counts: partial blocks and words (n = 1000), counts past the
/// unrolled planes and past 255 (the byte lanes of the AVX-512 fold).
fn planes_count_like_cells(isa: Isa) {
    use spindle_core::rng::{Purpose, next_lanes, stream_state};
    let n = 1000;
    let mut rng = stream_state(3, Purpose::Connect, 0, 0).map(|w| [w]);
    let mut r = InputRing::with_planes(n, 4, &[0.5, -1.0], &[10, 4], isa);
    let mut want = vec![0u32; n];
    let mut bitmap = vec![0u64; r.plane_words()];
    for round in 0..700 {
        let dense = round < 600;
        for (w, word) in bitmap.iter_mut().enumerate() {
            let x = next_lanes(&mut rng)[0];
            // Dense rounds set about half the bits; the rest few.
            *word = if dense { x } else { x & x >> 7 & x >> 13 };
            if w == n / 64 {
                *word &= (1 << (n % 64)) - 1;
            }
        }
        r.add_bitmap(0, 2, &bitmap);
        for (t, count) in want.iter_mut().enumerate() {
            *count += (bitmap[t / 64] >> (t % 64) & 1) as u32;
        }
        let one = (next_lanes(&mut rng)[0] % n as u64) as usize;
        r.count_row_mut(0, 2)[one] += 2;
        want[one] += 2;
    }
    assert!(want.iter().any(|&c| c > 255));
    // The inhibitory group had no events; the planes hold nothing after.
    for (t, &count) in want.iter().enumerate() {
        let (ex, inh) = r.take(2 + 4 * 7, t);
        assert_eq!((ex, inh), (0.5 * f64::from(count), 0.0), "neuron {t}");
    }
    assert_eq!(r.take(2, 17), (0.0, 0.0));
    assert!(r.planes[0].is_clear());
}

#[test]
fn planes_count_like_cells_portable() {
    planes_count_like_cells(Isa::Portable);
}

#[test]
fn planes_count_like_cells_avx512() {
    if Isa::Avx512.available() {
        planes_count_like_cells(Isa::Avx512);
    }
}

#[test]
fn row_offsets_wrap() {
    let r = InputRing::new(3, 4);
    let mut rows = Vec::new();
    r.row_offsets(6, 1, 4, &mut rows);
    // steps 7, 8, 9 -> slots 3, 0, 1
    assert_eq!(&rows[1..], &[9, 0, 3]);
}

#[test]
fn estimate_is_what_the_layout_holds() {
    for (n, len, depths) in [
        (1usize, 1usize, vec![]),
        (100, 30, vec![14, 12]),
        (12_500, 30, vec![14, 12]),
        (777, 33, vec![3]),
    ] {
        let weights = vec![1.0; depths.len()];
        let ring = InputRing::with_planes(n, len, &weights, &depths, Isa::Portable);
        let (n64, len64) = (n as u64, len as u64);
        assert_eq!(
            InputRing::estimate_bytes(n64, len64, &depths, true),
            ring.bytes() as u64,
            "{n} {len} {depths:?}"
        );
        let weight_rows = 2 * n64 * ring.len() as u64 * 8;
        assert_eq!(
            InputRing::estimate_bytes(n64, len64, &depths, false),
            ring.bytes() as u64 - weight_rows
        );
    }
    // Absurd sizes saturate rather than wrap.
    assert_eq!(
        InputRing::estimate_bytes(u64::MAX / 3, u64::MAX / 5, &[64, 64], true),
        u64::MAX
    );
}

#[test]
fn ports_are_channels_of_their_own() {
    let mut r = InputRing::new(5, 4).with_ports(3);
    assert_eq!((r.ports(), r.bytes()), (3, (2 + 3) * 5 * 4 * 8));
    r.add_port(6, 1, 2, 2.0);
    r.port_row_mut(6, 2)[1] += -0.5;
    r.port_row_mut(6, 0)[4] += 1.0;
    r.add(6, 1, 7.0);
    let mut rows = Vec::new();
    r.row_offsets(6, 0, 1, &mut rows);
    assert_eq!(r.take_port_lanes::<2>(rows[0], 2, 0), [0.0, 1.5]);
    assert_eq!(r.take_port_lanes::<2>(rows[0], 2, 0), [0.0, 0.0]);
    assert_eq!(r.take_port_lanes::<1>(rows[0], 0, 4), [1.0]);
    r.add_port_at(rows[0], 1, 3, 4.0);
    assert_eq!(r.take_port_lanes::<1>(rows[0], 1, 3), [4.0]);
    // (ex, inh) untouched by the ports, and none without them.
    assert_eq!(r.take(6, 1), (7.0, 0.0));
    assert_eq!(InputRing::new(5, 4).ports(), 0);
    assert_eq!(InputRing::estimate_port_bytes(5, 3, 3), 5 * 4 * 3 * 8);
}

/// Events are added to staged rows, one per lag of the slice, until a
/// weight is written to a slot's row directly; then to their slots' rows.
/// Either way each step reads its own input, in list order.
#[test]
fn events_staged_until_a_direct_write() {
    let mut r = InputRing::with_counts(4, 8, &[0.5]);
    let read = |r: &mut InputRing, origin: Step, lags: u32| {
        let mut rows = Vec::new();
        r.fold_planes(origin, 0, lags);
        r.row_offsets(origin, 0, lags, &mut rows);
        let n = 2 * lags as usize;
        let (mut ex, mut inh) = (vec![0.0; n], vec![0.0; n]);
        r.take_slice::<2>(&rows, 2, 0, lags, &mut ex, &mut inh, &mut vec![0.0; 2 * n]);
        (ex, inh)
    };
    for (t, w) in [(2, 1.0f32), (3, -2.0), (2, 0.25)] {
        r.push_event(5, t, w);
    }
    r.push_event(6, 3, 4.0);
    r.count_row_mut(0, 6)[2] += 2;
    assert_eq!(
        read(&mut r, 5, 2),
        (vec![1.25, 0.0, 1.0, 4.0], vec![0.0, -2.0, 0.0, 0.0])
    );
    // Staged: the slot rows of other steps were never written.
    assert!(r.ex[2 * 4..].iter().all(|&x| x == 0.0));
    r.push_event(9, 2, 3.0);
    r.add(9, 3, 0.5);
    r.push_event(10, 3, -1.0);
    r.fold_planes(9, 0, 2);
    let mut rows = Vec::new();
    r.row_offsets(9, 0, 2, &mut rows);
    for (lag, want) in [
        (0, ([3.0, 0.5], [0.0, 0.0])),
        (1, ([0.0, 0.0], [0.0, -1.0])),
    ] {
        assert_eq!(r.take_lanes::<2>(rows[lag], lag, 2), want, "lag {lag}");
    }
    assert_eq!(read(&mut r, 9, 2), (vec![0.0; 4], vec![0.0; 4]));
}

/// A fold adds every event of its list, those within the prefetch's reach
/// of the end too, each cell's in list order (the sums' bits depend on
/// it), and empties the list.
#[test]
fn fold_adds_every_event_in_list_order() {
    let weights = [2f32.powi(30), 2f32.powi(-30), 1.0, -3.0, 0.1];
    for len in 0..3 * FOLD_AHEAD {
        let mut events: Events = (0..len)
            .map(|i| ((i * 7 % 5) as u32, weights[i * 3 % weights.len()]))
            .collect();
        let mut want = [0.0f64; 5];
        for &(t, w) in &events {
            want[t as usize] += f64::from(w);
        }
        let mut row = [0.0f64; 5];
        add_events(&mut row, &mut events);
        assert_eq!(
            row.map(f64::to_bits),
            want.map(f64::to_bits),
            "{len} events"
        );
        assert!(events.is_empty());
    }
}
