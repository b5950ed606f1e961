// The data channel's send window (Hatch; the reference has none, spec 13.5). Sized in bytes
// from what the acknowledgements show: the delivery rate and the round-trip time give the
// bandwidth-delay product, and the window is kept at twice that, so a long round trip gets a
// big window and a slow path a small one. It starts small and doubles every round trip until
// the delivery rate stops growing ("acknowledgements stop keeping up"), like BBR's startup.
//
// Congestion response: a round trip in which more than `lossThreshold` (5 %) of the messages sent
// were lost, or whose shortest RTT rose far above the path's minimum (a queue our own window
// cannot explain), cuts a ceiling to `beta` × the window (multiplicative decrease); the
// ceiling then grows back along CUBIC's curve. Scattered loss below the threshold (a lossy
// Wi-Fi, 1 % drop) is repaired by retransmission without shrinking the window, which is what
// keeps long paths fast; a service that drops what exceeds its rate makes the loss rate climb
// past the threshold and gets fewer messages, not a broken session.
//
// Pure logic on an injected clock; the channel calls onSend/onAck/onLoss.

export interface CongestionOptions {
  /** Payload bytes of a full message (the channel's maxMessageSize). */
  messageBytes: number;
  /** Window before any measurement. Default 64 messages. */
  initialBytes?: number;
  /** Never below this. Default 4 messages. */
  minBytes?: number;
  /**
   * The BDP model never asks for less than this (default 128 messages): on loopback or a LAN
   * the round trip is a fraction of a millisecond and is dominated by how the event loops on
   * both sides batch their work, which the model cannot see. Only a congestion event (loss, a
   * lasting RTT rise) takes the window below it.
   */
  floorBytes?: number;
  /** Memory cap for unacknowledged data. Default 32 MiB. */
  maxBytes?: number;
  /**
   * Share of a round's messages lost above which the round counts as congested. Default 0.05:
   * acknowledgements name single messages, so a lost acknowledgement looks exactly like a lost
   * message, and random loss p each way reads as ≈ 2p; 5 % leaves room for a lossy path.
   */
  lossThreshold?: number;
  /** Multiplicative decrease. Default 0.7 (CUBIC's). */
  beta?: number;
  /** Window = gain × bandwidth × min RTT. Default 2. */
  gain?: number;
  /**
   * Rounds whose shortest RTT exceeds factor × min RTT + slackMs, without a break for at least
   * rttRiseHoldMs, count as congested (a lasting queue, not a pause of the event loop).
   * Default 4, 40 ms, 1000 ms.
   */
  rttRiseFactor?: number;
  rttRiseSlackMs?: number;
  rttRiseHoldMs?: number;
}

/** What the controller keeps per sent message (the channel stores it with the message). */
export interface SendRecord {
  bytes: number;
  /** Controller's delivered-bytes count and its time when this message was sent. */
  delivered: number;
  deliveredTime: number;
  /** Sent while the sender had less to send than the window allowed. */
  appLimited: boolean;
  /** Sent while at least half the window was in flight (growth only counts then). */
  windowLimited: boolean;
}

export type CongestionCause = 'loss' | 'rtt';

export interface CongestionStats {
  windowBytes: number;
  phase: 'startup' | 'steady';
  /** Bytes per second: the highest delivery rate of the last 10 rounds. */
  bandwidth: number;
  minRttMs: number;
  /** Bytes acknowledged per round of the bandwidth-delay product. */
  bdpBytes: number;
  ceilingBytes: number;
  rounds: number;
  congestionEvents: { loss: number; rtt: number };
  /** Retransmissions found needless (the first copy's acknowledgement came back). */
  spuriousLosses: number;
}

const BW_ROUNDS = 10;
const MIN_RTT_WINDOW_MS = 10_000;
/** CUBIC's C, in messages per second³. */
const CUBIC_C = 0.4;

export class CongestionWindow {
  private readonly mss: number;
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly lossThreshold: number;
  private readonly beta: number;
  private readonly gain: number;
  private readonly rttRiseFactor: number;
  private readonly rttRiseSlackMs: number;
  private readonly rttRiseHoldMs: number;
  private readonly floorBytes: number;
  private rttRiseSince = -1;

  private cwnd: number;
  private phase: 'startup' | 'steady' = 'startup';
  // Delivery-rate sampling (bytes, ms).
  private delivered = 0;
  private deliveredTime: number;
  private appLimitedUntil = 0;
  // Rounds: a round ends when a message sent after it began is acknowledged.
  private rounds = 0;
  private roundEndDelivered = 0;
  private roundSent = 0;
  private roundLost = 0;
  private roundMinRtt = Infinity;
  private roundMaxBw = 0;
  private readonly bwByRound: number[] = [];
  private maxBw = 0; // bytes per ms
  private fullBw = 0;
  private fullBwRounds = 0;
  private minRtt = Infinity;
  private minRttAt = 0;
  private lastRoundMinRtt = Infinity;
  private roundRttSamples = 0;
  // Ack aggregation: acks come in bursts (one event-loop turn, one socket read), more than
  // bandwidth × elapsed; the window keeps room for the largest recent burst (BBR's extra_acked).
  private aggStart = 0;
  private aggBytes = 0;
  private extraAcked = 0;
  private extraAckedRound = 0;
  // Ceiling after a congestion event, regrown along CUBIC's curve.
  private ceiling = Infinity;
  private wMax = 0;
  private epochStart = 0;
  private cubicK = 0;
  private lastEventRound = -1;
  private readonly events = { loss: 0, rtt: 0 };

  constructor(
    opts: CongestionOptions,
    private readonly now: () => number,
  ) {
    this.mss = Math.max(1, opts.messageBytes);
    this.minBytes = opts.minBytes ?? 4 * this.mss;
    this.maxBytes = opts.maxBytes ?? 32 << 20;
    this.cwnd = Math.min(this.maxBytes, Math.max(this.minBytes, opts.initialBytes ?? 64 * this.mss));
    this.lossThreshold = opts.lossThreshold ?? 0.05;
    this.beta = opts.beta ?? 0.7;
    this.gain = opts.gain ?? 2;
    this.rttRiseFactor = opts.rttRiseFactor ?? 4;
    this.rttRiseSlackMs = opts.rttRiseSlackMs ?? 40;
    this.rttRiseHoldMs = opts.rttRiseHoldMs ?? 1000;
    this.floorBytes = opts.floorBytes ?? 128 * this.mss;
    this.deliveredTime = now();
  }

  /** Bytes that may be unacknowledged at once. */
  get windowBytes(): number {
    return this.cwnd;
  }

  /** A new message goes out. `inflightBytes` excludes it. */
  onSend(bytes: number, inflightBytes: number): SendRecord {
    const now = this.now();
    // After an idle period the rate clock restarts, or the idle time would read as a slow path.
    if (inflightBytes === 0) this.deliveredTime = now;
    this.roundSent++;
    return {
      bytes,
      delivered: this.delivered,
      deliveredTime: this.deliveredTime,
      appLimited: this.appLimitedUntil > this.delivered,
      windowLimited: inflightBytes + bytes >= this.cwnd / 2,
    };
  }

  /** The sender ran out of data with room left in the window: samples until now are app-limited. */
  onAppLimited(inflightBytes: number): void {
    this.appLimitedUntil = this.delivered + Math.max(1, inflightBytes);
  }

  /** A message was acknowledged; `rttMs` only when it was never resent (Karn's rule). */
  onAck(rec: SendRecord, rttMs: number | undefined): void {
    const now = this.now();
    this.delivered += rec.bytes;
    this.deliveredTime = now;
    if (rttMs !== undefined) {
      this.roundRttSamples++;
      this.roundMinRtt = Math.min(this.roundMinRtt, rttMs);
      if (rttMs <= this.minRtt || now - this.minRttAt > MIN_RTT_WINDOW_MS) {
        this.minRtt = rttMs;
        this.minRttAt = now;
      }
    }
    const interval = now - rec.deliveredTime;
    if (interval > 0) {
      const bw = (this.delivered - rec.delivered) / interval;
      if (!rec.appLimited || bw > this.maxBw) this.roundMaxBw = Math.max(this.roundMaxBw, bw);
      if (this.roundMaxBw > this.maxBw) this.maxBw = this.roundMaxBw;
    }
    this.trackAggregation(now, rec.bytes);
    if (rec.delivered >= this.roundEndDelivered) this.endRound(rec.appLimited);
    this.grow(rec);
  }

  /** A message was declared lost (its timer expired, or later messages were acknowledged first). */
  onLoss(): void {
    this.roundLost++;
  }

  /** A resent message's first copy was acknowledged after all: that loss was not one. */
  onSpuriousLoss(): void {
    if (this.roundLost > 0) this.roundLost--;
    this.spurious++;
  }

  private spurious = 0;

  private trackAggregation(now: number, bytes: number): void {
    const expected = this.maxBw * (now - this.aggStart);
    if (this.aggBytes + bytes <= expected || this.aggStart === 0) {
      // Acks are keeping pace with the estimate: start a new aggregation epoch.
      this.aggStart = now;
      this.aggBytes = 0;
      return;
    }
    this.aggBytes += bytes;
    this.extraAckedRound = Math.max(this.extraAckedRound, this.aggBytes - expected);
  }

  private endRound(appLimited: boolean): void {
    this.rounds++;
    this.roundEndDelivered = this.delivered;
    this.bwByRound.push(this.roundMaxBw);
    if (this.bwByRound.length > BW_ROUNDS) this.bwByRound.shift();
    this.maxBw = Math.max(...this.bwByRound);
    this.extraAcked = Math.max(this.extraAckedRound, this.extraAcked * 0.9);
    this.extraAckedRound = 0;

    if (this.phase === 'startup' && !appLimited) {
      // HyStart++ (RFC 9406): the round's shortest RTT rose by an eighth: a queue is forming.
      const rise = Math.min(16, Math.max(4, this.lastRoundMinRtt / 8));
      if (this.roundRttSamples >= 8 && this.lastRoundMinRtt !== Infinity && this.roundMinRtt >= this.lastRoundMinRtt + rise) this.phase = 'steady';
      else if (this.maxBw >= this.fullBw * 1.25) {
        this.fullBw = this.maxBw;
        this.fullBwRounds = 0;
      } else if (++this.fullBwRounds >= 3) {
        this.phase = 'steady'; // three rounds without 25 % more delivery: the pipe is full
      }
    }

    const lossRate = this.roundSent > 0 ? this.roundLost / this.roundSent : 0;
    const now = this.now();
    const risen = this.roundMinRtt !== Infinity && this.minRtt !== Infinity && this.roundMinRtt > this.minRtt * this.rttRiseFactor + this.rttRiseSlackMs;
    if (!risen) this.rttRiseSince = -1;
    else if (this.rttRiseSince < 0) this.rttRiseSince = now;
    if (this.roundSent >= 8 && lossRate > this.lossThreshold) this.congested('loss');
    else if (risen && now - this.rttRiseSince >= this.rttRiseHoldMs) {
      this.rttRiseSince = now;
      this.congested('rtt');
    }
    if (this.roundRttSamples >= 8) this.lastRoundMinRtt = this.roundMinRtt;
    this.roundSent = 0;
    this.roundLost = 0;
    this.roundRttSamples = 0;
    this.roundMinRtt = Infinity;
    this.roundMaxBw = 0;
  }

  private congested(cause: CongestionCause): void {
    if (this.lastEventRound >= this.rounds - 1) return; // once per round trip
    this.lastEventRound = this.rounds;
    this.events[cause]++;
    this.phase = 'steady';
    this.wMax = this.cwnd;
    this.cwnd = Math.max(this.minBytes, Math.floor(this.cwnd * this.beta));
    this.ceiling = this.cwnd;
    this.epochStart = this.now();
    this.cubicK = Math.cbrt(((this.wMax / this.mss) * (1 - this.beta)) / CUBIC_C);
  }

  private grow(rec: SendRecord): void {
    if (this.ceiling !== Infinity) {
      const t = (this.now() - this.epochStart) / 1000 - this.cubicK;
      this.ceiling = Math.max(this.minBytes, this.wMax + CUBIC_C * t * t * t * this.mss);
    }
    if (this.phase === 'startup') {
      if (rec.windowLimited) this.cwnd += rec.bytes;
    } else {
      const target = this.target();
      this.cwnd = this.cwnd < target ? Math.min(target, this.cwnd + (rec.windowLimited ? rec.bytes : 0)) : target;
    }
    this.cwnd = Math.max(this.minBytes, Math.min(this.cwnd, this.ceiling, this.maxBytes));
  }

  private target(): number {
    if (this.minRtt === Infinity || this.maxBw === 0) return this.cwnd;
    return Math.max(this.floorBytes, this.gain * this.maxBw * this.minRtt + this.extraAcked);
  }

  stats(): CongestionStats {
    return {
      windowBytes: Math.round(this.cwnd),
      phase: this.phase,
      bandwidth: Math.round(this.maxBw * 1000),
      minRttMs: this.minRtt === Infinity ? 0 : this.minRtt,
      bdpBytes: this.minRtt === Infinity ? 0 : Math.round(this.maxBw * this.minRtt),
      ceilingBytes: this.ceiling === Infinity ? 0 : Math.round(this.ceiling),
      rounds: this.rounds,
      congestionEvents: { ...this.events },
      spuriousLosses: this.spurious,
    };
  }
}
