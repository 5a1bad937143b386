package board

import (
	"fmt"
	"strings"

	"github.com/goasyncio/asyncio/board/wave"
)

// WaveformWithBuses is Waveform with a text signal for each I2C and SPI
// bus, named as the bus, after the parts' signals (a bus has none of its
// own): at each time at which the bus had transfers, those transfers
// decoded as a logic analyser's lane shows them (Transfer.Frame: "76 w f7
// r8"; on SPI the bytes out and in, "w 9f 00 r ff ef"). Transfers at the
// same time, as a driver's on the virtual clock, share one value: "3x 3c w
// 00 ae; 3c w 00 d5; 3c w 00 a8", at most three listed. Only the transfers
// the board keeps are shown (Transfers). Each WS2812 strip has a text
// signal too, named as the strip: its colours, "ff0000 00ff00 000000", at
// each change (SimWS2812.Changes).
func (s *Sim) WaveformWithBuses() *wave.Waveform {
	w := s.Waveform()
	byBus := map[string][]Transfer{}
	for _, t := range s.transfers {
		byBus[t.Bus] = append(byBus[t.Bus], t)
	}
	var changes []wave.Change
	for _, name := range s.order {
		switch p := s.parts[name].(type) {
		case *SimI2C, *SimSPI:
		case *SimWS2812:
			sig, cs := p.lane()
			w.Signals, changes = append(w.Signals, sig), append(changes, cs...)
			continue
		default:
			continue
		}
		sig := wave.Signal{Name: name, Kind: wave.Text, Init: wave.Unknown}
		ts := byBus[name]
		index := map[string]int{}
		for i := 0; i < len(ts); {
			j := i + 1
			for j < len(ts) && ts[j].At == ts[i].At {
				j++
			}
			label := frames(ts[i:j])
			v, ok := index[label]
			if !ok {
				v = len(sig.Labels)
				index[label] = v
				sig.Labels = append(sig.Labels, label)
			}
			changes = append(changes, wave.Change{At: ts[i].At, Signal: sig.Name, Value: v})
			i = j
		}
		w.Signals = append(w.Signals, sig)
	}
	w.Changes = append(w.Changes, changes...)
	return w.Sorted()
}

// frames is the label of transfers made at one time.
func frames(ts []Transfer) string {
	if len(ts) == 1 {
		return ts[0].Frame()
	}
	const most = 3
	var parts []string
	for _, t := range ts[:min(len(ts), most)] {
		parts = append(parts, t.Frame())
	}
	label := fmt.Sprintf("%dx %s", len(ts), strings.Join(parts, "; "))
	if len(ts) > most {
		label += "; …"
	}
	return label
}
