set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "layerwise_sparsity_ablation_final_token_density.png"
set title "Token density per layer at the end, per variant (mean; band: min..max over seeds)"
set xlabel "layer"
set ylabel "token density (mean fraction of units > 0)"
set grid
set key outside right top
set autoscale xfix
set xtics 1
$d0 << EOD
0 0.330700397 0.319028378 0.342372417
1 0.0865273476 0.0787448883 0.0943098068
2 0.112127304 0.101858139 0.122396469
3 0.0942358971 0.090886116 0.0975856781
4 0.0899956226 0.0891551971 0.0908360481
5 0.0946705341 0.0906105042 0.0987305641
EOD
$d1 << EOD
0 0.301776707 0.300448895 0.30310452
1 0.067306757 0.0660127401 0.0686007738
2 0.0651571155 0.062443018 0.067871213
3 0.0568831563 0.0530183315 0.0607479811
4 0.0493704677 0.0492162704 0.0495246649
5 0.0675596595 0.0659071207 0.0692121983
EOD
$d2 << EOD
0 0.300190806 0.295191705 0.305189908
1 0.0601165295 0.0533546209 0.066878438
2 0.0506152213 0.0467768312 0.0544536114
3 0.0524067581 0.049742341 0.0550711751
4 0.0589565933 0.0575576425 0.0603555441
5 0.0645703673 0.064394474 0.0647462606
EOD
$d3 << EOD
0 0.433404446 0.425844669 0.440964222
1 0.157054424 0.149445534 0.164663315
2 0.088893652 0.0871315002 0.0906558037
3 0.098171711 0.0913510323 0.10499239
4 0.10343194 0.0872893333 0.119574547
5 0.1056602 0.10233593 0.10898447
EOD
$d4 << EOD
0 0.446539164 0.439502239 0.453576088
1 0.206041813 0.204027176 0.20805645
2 0.115829945 0.113955021 0.117704868
3 0.112260103 0.10802269 0.116497517
4 0.115127087 0.108336926 0.121917248
5 0.123162746 0.118796825 0.127528667
EOD
$d5 << EOD
0 0.0560472012 0.0463137627 0.0657806396
1 0.0617618561 0.0518946648 0.0716290474
2 0.108731747 0.097158432 0.120305061
3 0.157584906 0.146577835 0.168591976
4 0.189274073 0.18796587 0.190582275
5 0.198847771 0.196787834 0.200907707
EOD
$d6 << EOD
0 0.166707754 0.166272163 0.167143345
1 0.0292057991 0.0278806686 0.0305309296
2 0.0753679276 0.0740909576 0.0766448975
3 0.0807042122 0.0783987045 0.0830097198
4 0.0745911598 0.0694112778 0.0797710419
5 0.092602253 0.0888881683 0.0963163376
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d4 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#9467bd' notitle, \
     $d5 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#8c564b' notitle, \
     $d6 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#e377c2' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "reference", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "d_ff_16x", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "d_ff_32x", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "words_4096", \
     $d4 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#9467bd' title "words_8192", \
     $d5 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#8c564b' title "post_norm", \
     $d6 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#e377c2' title "steps_4x"
