#!/usr/bin/env bash
# Makes the fast-motion test clips in Samples/ from Samples' own pictures with the ffmpeg command-line tool
# (Debian package `ffmpeg`): short 160×96 clips at 10 fps where a textured shape moves 8–11 px per frame, for
# measuring ghosting at disocclusions and motion boundaries. Deterministic: single-threaded x264 with bitexact
# flags, no metadata, so running it again gives the same bytes.
#   disc-cross.mp4   24 frames: a disc cut from The Starry Night crosses the fruit still life left to right,
#                    9 px per frame, bobbing ±6 px vertically; static camera.
#   pan-wings.mp4    24 frames: the camera pans across the building façade 4 px per frame to the right while a
#                    two-winged shape (Starry Night texture) flies right to left, 11 px per frame in the image
#                    (7 px against the scene), climbing 1 px per frame.
set -euo pipefail
cd "$(dirname "$0")/../Samples"
command -v ffmpeg >/dev/null || { echo "needs the ffmpeg command-line tool: apt-get install -y ffmpeg" >&2; exit 1; }

encode=(-frames:v 24 -r 10 -c:v libx264 -preset medium -crf 20 -pix_fmt yuv420p -threads 1 -x264-params threads=1
        -fflags +bitexact -flags:v +bitexact -map_metadata -1 -movflags +faststart -an -y)

# A 40×40 disc, hard-edged (alpha 0 outside radius 19), textured with a crop of the painting.
ffmpeg -v error -loop 1 -framerate 10 -i fruits.jpg -loop 1 -framerate 10 -i starry_night_unframed.jpg -filter_complex "
  [0]scale=160:96:flags=lanczos,setsar=1[bg];
  [1]crop=240:240:420:40,scale=40:40:flags=lanczos,format=rgba,
     geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lte(hypot(X-19.5,Y-19.5),19),255,0)'[disc];
  [bg][disc]overlay=x='-30+9*n':y='28+6*sin(n*0.7)':eval=frame:format=auto,format=yuv420p" \
  "${encode[@]}" disc-cross.mp4

# A 48×36 shape of two mirrored upright elliptic wings, flying over a window that pans across the façade.
ffmpeg -v error -loop 1 -framerate 10 -i building.jpg -loop 1 -framerate 10 -i starry_night_unframed.jpg -filter_complex "
  [0]scale=320:-2:flags=lanczos,setsar=1,crop=160:96:'20+4*n':60[bg];
  [1]crop=192:144:300:0,scale=48:36:flags=lanczos,format=rgba,
     geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lte(hypot((abs(X-23.5)-10)*1.3,(Y-17.5)*0.9),12),255,0)'[wings];
  [bg][wings]overlay=x='170-11*n':y='40-n':eval=frame:format=auto,format=yuv420p" \
  "${encode[@]}" pan-wings.mp4
