#!/bin/sh
# Makes the small video/audio fixtures in this directory with the ffmpeg CLI (FFmpeg 5.1, libx264, libopus).
# The tests read the committed files and do not need the CLI; rerun this only to change a fixture, and update
# README.md beside it. Usage: sh make-clips.sh
set -eu
cd "$(dirname "$0")"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Constant rate with sound: 2 s, 10 fps, 160×90, H.264 (with B-frames, as cameras write) + AAC stereo sine.
ff -f lavfi -i testsrc2=s=160x90:r=10:d=2 -f lavfi -i sine=f=440:r=44100:d=2 \
   -c:v libx264 -preset veryfast -crf 32 -pix_fmt yuv420p -g 10 \
   -c:a aac -ac 2 -b:a 32k -map_metadata -1 cfr_audio.mp4

# Variable rate: 20 frames whose gaps alternate 0.15 s / 0.05 s, with a 0.4 s gap after frame 11; Matroska
# keeps the millisecond timestamps exactly (frame N at N·0.1 + 0.05·(N mod 2) + 0.3·(N ≥ 12) s).
ff -f lavfi -i testsrc2=s=160x90:r=10:d=2 \
   -vf "settb=1/1000,setpts='(N*0.1+0.05*mod(N,2)+0.3*gte(N,12))/TB'" -fps_mode passthrough -enc_time_base:v 1/1000 \
   -c:v libx264 -preset veryfast -crf 32 -pix_fmt yuv420p -bf 0 -map_metadata -1 vfr.mkv

# Rotated: the upright picture is 90×160 (red top-left, green top-right, blue bottom-left, white bottom-right),
# stored turned a quarter clockwise as 160×90 with a display matrix that turns it back (ffprobe: rotation 90).
ff -f lavfi -i "color=red:s=46x80:r=10:d=1[a];color=lime:s=44x80:r=10:d=1[b];color=blue:s=46x80:r=10:d=1[c];color=white:s=44x80:r=10:d=1[d];[a][b]hstack[t];[c][d]hstack[u];[t][u]vstack,transpose=clock,format=yuv420p" \
   -c:v libx264 -preset veryfast -crf 18 -map_metadata -1 "$tmp/stored.mp4"
ff -i "$tmp/stored.mp4" -c copy -metadata:s:v:0 rotate=90 rotated.mp4
# Check with ffmpeg's own autorotation that the display is the upright picture (red at the top-left corner).
ff -i rotated.mp4 -frames:v 1 -f rawvideo -pix_fmt rgb24 "$tmp/upright.rgb"
[ "$(ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0 rotated.mp4 | cut -d, -f1,2)" = "160,90" ]
od -An -tu1 -N3 "$tmp/upright.rgb" | awk '{ exit !($1 > 240 && $2 < 16 && $3 < 16) }' || { echo "rotated.mp4: not upright" >&2; exit 1; }

# Non-square pixels: 80×90 stored with a 2:1 sample aspect ratio, shown as 160×90; the white box is 20×40
# stored, a 40×40 square on screen, its top-left corner at (60, 24) on screen.
ff -f lavfi -i "color=black:s=80x90:r=10:d=1,drawbox=x=30:y=24:w=20:h=40:color=white:t=fill,setsar=2/1,format=yuv420p" \
   -c:v libx264 -preset veryfast -crf 18 -map_metadata -1 anamorphic.mp4

# Video + Opus audio + a SubRip subtitle stream, 1 s.
printf '1\n00:00:00,000 --> 00:00:00,800\nA subtitle\n' > "$tmp/subs.srt"
ff -f lavfi -i testsrc2=s=160x90:r=10:d=1 -f lavfi -i sine=f=330:r=48000:d=1 -i "$tmp/subs.srt" \
   -map 0 -map 1 -map 2 -c:v libx264 -preset veryfast -crf 32 -pix_fmt yuv420p -c:a libopus -b:a 24k -c:s srt \
   -map_metadata -1 subs.mkv

# Sound only: 1 s AAC sine.
ff -f lavfi -i sine=f=440:r=44100:d=1 -c:a aac -b:a 32k -map_metadata -1 no_video.m4a

ls -l cfr_audio.mp4 vfr.mkv rotated.mp4 anamorphic.mp4 subs.mkv no_video.m4a
