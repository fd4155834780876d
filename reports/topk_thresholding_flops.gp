set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_flops.png"
set title "ViT MLP FLOPs per token (all layers) against d_ff"
set xlabel "d_ff"
set ylabel "FLOPs per token"
set grid
set key outside right top
set autoscale xfix
set logscale x
set xtics 2
set logscale y
set xrange [64:512]
$d0 << EOD
64 65536 65536 65536
256 262144 262144 262144
512 524288 524288 524288
EOD
$d1 << EOD
64 44655.5796 43716.9001 45745.6641
256 174658.802 169805.292 179272.457
512 348768.741 336840.669 353348.941
EOD
$d2 << EOD
64 23775.1593 21897.8003 25955.3281
256 87173.6041 77466.583 96400.9141
512 173249.482 149393.338 182409.883
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "dense", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "fc2 sparse", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "both sparse"
