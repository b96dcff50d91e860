package demo

import (
	"database/sql/driver"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"
)

const batchRows = 2048

const numCols = 6 + numFeatures + 2 // inference_log / training_set columns

// rowBatch carries up to batchRows generated rows (and their labels) of one job from a worker to the writers,
// already converted to appender values so the writers do as little as possible.
type rowBatch struct {
	n   int
	row [batchRows][numCols]driver.Value

	nl   int
	lrow [batchRows][3]driver.Value
}

// Pre-boxed appender values of the fixed vocabularies and of small integers (no allocation per row).
var (
	boxedCat     [numCategorical][]driver.Value
	boxedRegion  []driver.Value
	boxedChannel []driver.Value
	boxedInt     [1024]driver.Value
)

func init() {
	box := func(ss []string) []driver.Value {
		out := make([]driver.Value, len(ss))
		for i, s := range ss {
			out[i] = s
		}
		return out
	}
	for i := range numCategorical {
		if i == cCountry {
			boxedCat[i] = box(allCountries)
		} else {
			boxedCat[i] = box(catValues[i])
		}
	}
	boxedRegion = box(Regions)
	boxedChannel = box(Channels)
	for i := range boxedInt {
		boxedInt[i] = float64(i)
	}
}

func boxFloat(v float64) driver.Value {
	if v >= 0 && v < float64(len(boxedInt)) && v == math.Trunc(v) {
		return boxedInt[int(v)]
	}
	return v
}

// fill converts one generated row to appender values; unused features and NaN are NULL.
func fill(used *[numFeatures]bool, row *[numCols]driver.Value, ts int64, pid string, c *customer, pred, score float64, id, version driver.Value) {
	row[0] = time.UnixMicro(ts).UTC()
	row[1] = id
	row[2] = version
	row[3] = pid
	row[4] = boxedRegion[c.regionIdx]
	row[5] = boxedChannel[c.channelIdx]
	for k := range numNumeric {
		if v := c.num[k]; used[k] && !math.IsNaN(v) {
			row[6+k] = boxFloat(v)
		} else {
			row[6+k] = nil
		}
	}
	for k := range numCategorical {
		if used[numNumeric+k] && c.cat[k] != "" {
			row[6+numNumeric+k] = boxedCat[k][c.catIdx[k]]
		} else {
			row[6+numNumeric+k] = nil
		}
	}
	row[6+numFeatures] = boxFloat(pred)
	if math.IsNaN(score) {
		row[7+numFeatures] = nil
	} else {
		row[7+numFeatures] = score
	}
}

var batchPool = sync.Pool{New: func() any { return new(rowBatch) }}

// job generates the rows of one model into one table.
type job struct {
	spec      *ModelSpec
	table     string // inference_log | training_set
	streamKey string // seeds the job's own PCG stream
	pidPrefix string
	start     time.Time
	perDay    []int
	labels    bool
	endMicros int64 // labels with label_ts >= endMicros are omitted
	incidents []Incident
	diurnal   [24]float64 // cumulative hourly volume share
}

// dayState is which incidents are active on a day.
type dayState struct {
	covMult     float64 // covariate (or minor) drift: factor on covFeature, seen by the model (1 = none)
	covFeature  int
	topMult     float64 // concept drift: factor on the top feature's true weight (1 = none)
	prior       float64 // prior shift: positive rate (0 = none)
	nullShare   float64 // null flood share on nullFeature (0 = none)
	nullFeature int
	unitMult    float64 // unit change factor on unitFeature (1 = none)
	unitFeature int
}

func (j *job) state(d int) dayState {
	s := dayState{covMult: 1, topMult: 1, unitMult: 1}
	for _, inc := range j.incidents {
		to := inc.ToDay
		if to == UntilEnd {
			to = math.MaxInt
		}
		if d < inc.FromDay || d >= to {
			continue
		}
		switch inc.Kind {
		case KindCovariateDrift, KindMinorDrift:
			s.covMult = inc.Magnitude
			s.covFeature = featureIndex[inc.Features[0]]
		case KindConceptDrift:
			s.topMult = inc.Magnitude
		case KindPriorShift:
			s.prior = inc.Magnitude
		case KindNullFlood:
			s.nullShare = inc.Magnitude
			s.nullFeature = featureIndex[inc.Features[0]]
		case KindUnitChange:
			s.unitMult = inc.Magnitude
			s.unitFeature = featureIndex[inc.Features[0]]
		}
	}
	return s
}

// diurnalCurve is the cumulative hourly (UTC) traffic share of a model: each region peaks around 19:00 local time
// and is quietest before dawn.
func diurnalCurve(region string) [24]float64 {
	var w [24]float64
	add := func(reg string, share float64) {
		peak := regionUTCPeak[reg]
		for h := range 24 {
			c := 0.5 + 0.5*math.Cos(2*math.Pi*(float64(h)+0.5-peak)/24)
			w[h] += share * (0.2 + 0.8*math.Pow(c, 1.5))
		}
	}
	if region != "" {
		add(region, 1)
	} else {
		for i, reg := range Regions {
			add(reg, distRegion.cum[i]-func() float64 {
				if i == 0 {
					return 0
				}
				return distRegion.cum[i-1]
			}())
		}
	}
	var s float64
	for _, v := range w {
		s += v
	}
	var cum [24]float64
	var c float64
	for h, v := range w {
		c += v / s
		cum[h] = c
	}
	cum[23] = 1
	return cum
}

func (j *job) drawDelay(r *rand.Rand) time.Duration {
	d := j.spec.LabelDelay
	if d.Median == 0 {
		return d.Min + time.Duration(r.Float64()*float64(d.Max-d.Min))
	}
	x := time.Duration(float64(d.Median) * math.Exp(d.Sigma*r.NormFloat64()))
	return min(max(x, d.Min), d.Max)
}

// dayStream seeds the PCG stream of one (job, day): every day of every model is an independent unit of work.
func dayStream(key string, d int) uint64 {
	return idHash(key) ^ (uint64(d+1) * 0x9e3779b97f4a7c15)
}

// runDay generates day d of the job in time order; seq is the sequence number of the day's first prediction.
func (j *job) runDay(seed uint64, d int, seq uint64) []*rowBatch {
	r := rand.New(rand.NewPCG(seed, dayStream(j.streamKey, d)))
	t := truthFor(j.spec)
	m := t.spec
	nf := len(t.feats)
	zs := make([]float64, nf)
	nk := len(m.Classes)
	probs := make([]float64, nk)
	q := make([]float64, nk)
	var pidBuf []byte
	var id, version driver.Value = m.ID, m.Version
	var cs []customer
	var pov []float64 // per row: P(y=1|x) fixed while drawing (prior shift), else NaN
	var rk ranker
	var idx, rank []int
	var out []*rowBatch
	b := batchPool.Get().(*rowBatch)
	b.n, b.nl = 0, 0
	const hourMicros = int64(time.Hour / time.Microsecond)
	var tss []int64
	var us []latent
	var perm []int
	var iid latent
	n := j.perDay[d]
	{
		st := j.state(d)
		dayStart := j.start.AddDate(0, 0, d).UnixMicro()
		tss = tss[:0]
		for range n {
			u := r.Float64()
			h := 0
			for h < 23 && u >= j.diurnal[h] {
				h++
			}
			tss = append(tss, dayStart+int64(h)*hourMicros+r.Int64N(hourMicros))
		}
		slices.Sort(tss)
		if cap(us) < n {
			us = make([]latent, n)
			perm = make([]int, n)
			cs = make([]customer, n)
			pov = make([]float64, n)
			idx = make([]int, n)
			rank = make([]int, n)
		}
		us, cs, pov = us[:n], cs[:n], pov[:n]
		stratified(r, us, perm)
		for row := range cs {
			pov[row] = math.NaN()
			c := &cs[row]
			if m.Task == "binary" && st.prior > 0 {
				// P(x|y) fixed, P(y) changed: sample x from the new mixture by rejection from the healthy
				// population, then y from the new posterior.
				k1 := st.prior / m.PositiveRate
				k0 := (1 - st.prior) / (1 - m.PositiveRate)
				wmax := math.Max(k1, k0)
				for try := 0; ; try++ {
					u := &us[row]
					if try > 0 { // further candidates are i.i.d.
						iid.iid(r)
						u = &iid
					}
					drawCustomer(u, &t.prof, c)
					t.z(c, zs)
					p0 := sigmoid(t.b0 + linear(t.w, zs, t.topIdx, 1))
					w := k1*p0 + k0*(1-p0)
					if r.Float64()*wmax < w {
						pov[row] = k1 * p0 / w
						break
					}
				}
			} else {
				drawCustomer(&us[row], &t.prof, c)
			}
		}
		if st.prior == 0 { // (a prior shift must keep its mixture)
			t.pop.remarginalise(r, cs, &t.used, &rk, idx, rank)
		}
		for row, ts := range tss {
			c := &cs[row]
			pidBuf = append(pidBuf[:0], j.pidPrefix...)
			pidBuf = appendPadded(pidBuf, seq, 9)
			pid := string(pidBuf)

			// covariate drift: the customers themselves change, and the model sees it
			if st.covMult != 1 && !math.IsNaN(c.num[st.covFeature]) {
				c.num[st.covFeature] = round2(c.num[st.covFeature] * st.covMult)
			}
			var label, pred, score float64
			switch m.Task {
			case "binary":
				p := pov[row]
				t.z(c, zs)
				lm := linear(t.w, zs, t.topIdx, 1)
				if math.IsNaN(pov[row]) {
					if st.topMult != 1 {
						p = sigmoid(t.b0Top[st.topMult] + linear(t.w, zs, t.topIdx, st.topMult))
					} else {
						p = sigmoid(t.b0 + lm)
					}
				}
				score = sigmoid(t.b0 + lm + t.tau*r.NormFloat64())
				if score >= 0.5 {
					pred = 1
				}
				if r.Float64() < p {
					label = 1
				}
			case "multiclass":
				t.z(c, zs)
				for k := range probs {
					probs[k] = t.ak[k] + linear(t.wk[k], zs, t.topIdx, 1)
					q[k] = probs[k] + t.tau*r.NormFloat64()
				}
				softmax(probs)
				softmax(q)
				best := 0
				for k := range q {
					if q[k] > q[best] {
						best = k
					}
				}
				pred = float64(best)
				score = q[best]
				u := r.Float64()
				label = float64(nk - 1)
				for k := range probs {
					if u < probs[k] {
						label = float64(k)
						break
					}
					u -= probs[k]
				}
			case "regression":
				t.z(c, zs)
				f := t.mu + linear(t.w, zs, t.topIdx, 1)
				label = round2(math.Exp(f + sigmaEps*r.NormFloat64()))
				pred = round2(math.Exp(f + sigmaEps*sigmaEps/2 + t.tau*r.NormFloat64()))
				score = math.NaN()
			}

			// logging breaks: what is logged differs from what the model saw
			if st.nullShare > 0 && r.Float64() < (st.nullShare-naturalNull[st.nullFeature])/(1-naturalNull[st.nullFeature]) {
				c.num[st.nullFeature] = math.NaN()
			}
			if st.unitMult != 1 {
				c.num[st.unitFeature] = round2(c.num[st.unitFeature] * st.unitMult)
			}

			if j.labels {
				covered := r.Float64() < m.LabelCoverage
				lts := ts + j.drawDelay(r).Microseconds()
				if covered && lts < j.endMicros {
					lr := &b.lrow[b.nl]
					lr[0] = pid
					lr[1] = boxFloat(label)
					lr[2] = time.UnixMicro(lts).UTC()
					b.nl++
				}
			}
			fill(&t.used, &b.row[b.n], ts, pid, c, pred, score, id, version)
			b.n++
			seq++
			if b.n == batchRows {
				out = append(out, b)
				b = batchPool.Get().(*rowBatch)
				b.n, b.nl = 0, 0
			}
		}
	}
	if b.n > 0 {
		out = append(out, b)
	} else {
		batchPool.Put(b)
	}
	return out
}

func appendPadded(buf []byte, v uint64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendUint(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}
