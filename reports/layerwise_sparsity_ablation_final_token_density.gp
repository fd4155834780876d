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
0 0.349677658 0.335526466 0.374457836
1 0.0955468178 0.0670609474 0.133810043
2 0.10510664 0.0853414536 0.128816128
3 0.0901867867 0.0749268532 0.111468315
4 0.0895600319 0.0659790039 0.103441238
5 0.0926974297 0.080886364 0.106248856
EOD
$d1 << EOD
0 0.303244615 0.293910503 0.312021255
1 0.0633170605 0.0529178381 0.068815589
2 0.0621926785 0.0569679737 0.0665814877
3 0.0599318266 0.0517852306 0.068184495
4 0.0602076054 0.0480737686 0.0665118694
5 0.0777362585 0.0669369698 0.0885879993
EOD
$d2 << EOD
0 0.42628336 0.41143465 0.437956333
1 0.146263695 0.13640213 0.164928913
2 0.0910191536 0.0845308304 0.100131989
3 0.0927416801 0.0834774971 0.105957508
4 0.0956748009 0.0812587738 0.10653019
5 0.108347702 0.104989052 0.115306377
EOD
$d3 << EOD
0 0.0540596008 0.0420789719 0.0678358078
1 0.055237484 0.0464849472 0.0686607361
2 0.106744289 0.0900945663 0.124372005
3 0.153995895 0.140973091 0.17200613
4 0.177804661 0.172239304 0.184369087
5 0.195255566 0.183862209 0.216099739
EOD
$d4 << EOD
0 0.193196297 0.161566734 0.233916759
1 0.0277135849 0.0131220818 0.0542492867
2 0.0653669357 0.0450706482 0.0836224556
3 0.0722128868 0.0654959679 0.0861024857
4 0.0808288574 0.063290596 0.103325367
5 0.0974446297 0.0823941231 0.114425659
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d4 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#9467bd' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "reference", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "d_ff_16x", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "words_4096", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "post_norm", \
     $d4 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#9467bd' title "steps_4x"
