set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "layerwise_sparsity_ablation_final_window_union.png"
set title "Window union per layer at the end, per variant (mean; band: min..max over seeds)"
set xlabel "layer"
set ylabel "window union density"
set grid
set key outside right top
set autoscale xfix
set xtics 1
set yrange [0:1.05]
$d0 << EOD
0 0.998925781 0.995361328 1
1 0.826220703 0.712402344 0.871337891
2 0.799755859 0.714355469 0.864501953
3 0.752636719 0.685058594 0.820556641
4 0.80625 0.723876953 0.941894531
5 0.894824219 0.823486328 0.931640625
EOD
$d1 << EOD
0 0.992382813 0.980773926 0.998779297
1 0.605163574 0.560852051 0.641967773
2 0.627185059 0.593261719 0.661193848
3 0.635327148 0.604370117 0.704956055
4 0.681481934 0.630249023 0.730529785
5 0.83828125 0.773803711 0.886657715
EOD
$d2 << EOD
0 1 1 1
1 0.961621094 0.956298828 0.969482422
2 0.869433594 0.845947266 0.909423828
3 0.839892578 0.807617188 0.903320312
4 0.813671875 0.763183594 0.847167969
5 0.820947266 0.801025391 0.849121094
EOD
$d3 << EOD
0 0.670800781 0.595703125 0.743408203
1 0.698583984 0.589355469 0.786376953
2 0.865673828 0.839355469 0.902099609
3 0.926171875 0.891845703 0.961181641
4 0.963183594 0.940917969 0.990722656
5 0.972167969 0.939941406 0.989990234
EOD
$d4 << EOD
0 0.956689453 0.925537109 0.972167969
1 0.368066406 0.258544922 0.518554688
2 0.627148438 0.498779297 0.706298828
3 0.710644531 0.639160156 0.819335938
4 0.799023437 0.692626953 0.904052734
5 0.946777344 0.905761719 0.978515625
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
