package mqtt_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/mqtt"
	"github.com/goasyncio/asyncio/mqtt/mqtttest"
)

// FuzzReadPacket feeds arbitrary bytes to the framing: it must never
// panic or hang, every error must be a clear one (a *ProtocolError, or the
// end of the stream), and every packet it accepts must encode back to the
// very bytes it came from.
func FuzzReadPacket(f *testing.F) {
	for _, p := range []packets.ControlPacket{
		func() packets.ControlPacket {
			p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
			p.TopicName, p.Qos, p.MessageID, p.Payload = "a/b", 1, 7, []byte("hello")
			return p
		}(),
		func() packets.ControlPacket {
			p := packets.NewControlPacket(packets.Suback).(*packets.SubackPacket)
			p.MessageID, p.ReturnCodes = 3, []byte{0, 1, 0x80}
			return p
		}(),
		func() packets.ControlPacket {
			p := packets.NewControlPacket(packets.Subscribe).(*packets.SubscribePacket)
			p.MessageID, p.Topics, p.Qoss = 3, []string{"a/+", "#"}, []byte{0, 1}
			return p
		}(),
		func() packets.ControlPacket {
			p := packets.NewControlPacket(packets.Connect).(*packets.ConnectPacket)
			p.ProtocolName, p.ProtocolVersion, p.ClientIdentifier, p.Keepalive = "MQTT", 4, "dev", 60
			return p
		}(),
		packets.NewControlPacket(packets.Pingresp),
		packets.NewControlPacket(packets.Connack),
	} {
		var b bytes.Buffer
		p.Write(&b)
		f.Add(b.Bytes())
	}
	f.Add([]byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0x82, 0x80, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		err := asyncio.Run(func(ctx *asyncio.Ctx) error {
			r, w := mqtttest.Pipe()
			w.Write(data)
			w.Close()
			for {
				p, err := mqtt.ReadPacket(ctx, r, 1<<16)
				var pe *mqtt.ProtocolError
				switch {
				case err == io.EOF:
					return nil
				case errors.Is(err, io.ErrUnexpectedEOF):
					return nil
				case errors.As(err, &pe):
					if pe.Error() == "" {
						t.Errorf("empty error message")
					}
					return nil
				case err != nil:
					t.Fatalf("unclear error %T %v", err, err)
				}
				var again bytes.Buffer
				if err := p.Write(&again); err != nil {
					t.Fatalf("accepted %v but cannot encode it: %v", p, err)
				}
				if !bytes.HasPrefix(data, again.Bytes()) {
					t.Fatalf("accepted %v from % x, which encodes as % x", p, data, again.Bytes())
				}
				data = data[again.Len():]
			}
		}, asyncio.VirtualClock())
		if err != nil {
			t.Fatal(err)
		}
	})
}
