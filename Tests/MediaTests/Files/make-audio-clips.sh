#!/bin/sh
# Makes the audio fixtures of AudioTests with the ffmpeg CLI (run once; the outputs are committed, the tests do not
# need the CLI). Each is 2 s of a 64×48 test pattern at 10 fps with tones, small enough to commit.
set -eu
cd "$(dirname "$0")"
cat > subtitles.srt <<'SRT'
1
00:00:00,200 --> 00:00:01,500
test
SRT
# AAC (44.1 kHz mono) in MP4: packet copy into MP4/MOV, re-encode into WebM.
ffmpeg -nostdin -y -v error -f lavfi -i testsrc=size=64x48:rate=10:duration=2 \
    -f lavfi -i sine=frequency=440:sample_rate=44100:duration=2 \
    -map 0:v -map 1:a -c:v libx264 -pix_fmt yuv420p -crf 35 -c:a aac -b:a 32k -ac 1 audio-aac.mp4
# Matroska with two audio streams, PCM (MP4 cannot hold it) and MP3 (MP4 can), and a subtitle stream to drop.
ffmpeg -nostdin -y -v error -f lavfi -i testsrc=size=64x48:rate=10:duration=2 \
    -f lavfi -i sine=frequency=330:sample_rate=8000:duration=2 \
    -f lavfi -i sine=frequency=660:sample_rate=22050:duration=2 -i subtitles.srt \
    -map 0:v -map 1:a -map 2:a -map 3:s -c:v libx264 -pix_fmt yuv420p -crf 35 \
    -c:a:0 pcm_s16le -c:a:1 libmp3lame -b:a:1 32k -ac 1 -c:s srt audio-pcm-mp3-srt.mkv

# Opus in WebM: WebM stores no negative timestamps, so a cut drops the packet straddling the start.
ffmpeg -nostdin -y -v error -f lavfi -i testsrc=size=64x48:rate=10:duration=2 \
    -f lavfi -i sine=frequency=550:sample_rate=48000:duration=2 \
    -map 0:v -map 1:a -c:v libvpx-vp9 -crf 50 -b:v 0 -c:a libopus -b:a 24k -ac 1 audio-opus.webm
rm subtitles.srt
