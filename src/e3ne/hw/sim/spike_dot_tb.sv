/**
 * @brief   Self-checking bench of spike_dot.sv.
 * @author  e3ne
 * @description
 *  Random weights and spike bits every cycle, the enable low in about one cycle of
 *  STALL (per mille), the beat invalid (vld low) in about one of IDLE, N enabled cycles;
 *  after every enabled edge, part must equal the plain sum_j w[p][j] * x_j of the last
 *  valid inputs LAT = 1 + ceil(clog2(W*TP*M) / LEVELS) enabled edges before or earlier
 *  (computed here with multiplies, independent of the core's bit planes).
 *  Prints PASS (with the compressor tree's levels) or FAIL with the first wrong lane,
 *  then calls $finish.
 */
module spike_dot_tb #(
	parameter int PE = 2,
	parameter int SIMD = 3,
	parameter int TP = 1,
	parameter int W = 3,
	parameter int ADDER = 2,
	parameter int LEVELS = 2,
	parameter int N = 400,       // enabled cycles
	parameter int STALL = 300,   // per mille of cycles with the enable low
	parameter int IDLE = 300,    // per mille of beats not valid
	parameter int SEED = 1
);
	localparam int PS_W = W + TP + $clog2(SIMD + 1) + 1;
	localparam int M = (ADDER == 2)? 2*(((SIMD + 2)/3 + 5)/6) : 1;
	localparam int LAT = 1 + ($clog2(W*TP*M) + LEVELS - 1)/LEVELS;

	logic  clk = 0;
	logic  en, vld;
	logic [PE*SIMD*W-1:0]  wgt;
	logic [SIMD*TP-1:0]  x;
	logic [PE*PS_W-1:0]  part;

	spike_dot #(.PE(PE), .SIMD(SIMD), .TP(TP), .W(W), .ADDER(ADDER), .LEVELS(LEVELS)) dut (
		.clk, .en, .vld, .wgt, .x, .part
	);

	always #5 clk = !clk;

	function automatic logic [PE*PS_W-1:0] reference(input logic [PE*SIMD*W-1:0] w,
	                                                 input logic [SIMD*TP-1:0] s);
		logic signed [PS_W-1:0]  acc;
		for (int p = 0; p < PE; p++) begin
			acc = '0;
			for (int j = 0; j < SIMD; j++)
				acc = acc + PS_W'($signed(w[(p*SIMD + j)*W +: W])) * PS_W'($signed({1'b0, s[j*TP +: TP]}));
			reference[p*PS_W +: PS_W] = acc;
		end
	endfunction

	logic [PE*PS_W-1:0]  hist [LAT+1];   // expected parts after the last enabled edges
	logic [PE*PS_W-1:0]  last;           // the last valid beat's sum
	int  seed, done, bad;

	initial begin
		seed = SEED;
		bad = $urandom(seed);  // seeds the generator; $urandom() draws from it
		done = 0;
		bad = 0;
		en = 0;
		while (done < N + LAT) begin
			for (int k = 0; k < PE*SIMD*W; k++)  wgt[k] = 1'($urandom() & 1);
			for (int k = 0; k < SIMD*TP; k++)  x[k] = 1'($urandom() & 1);
			if (done < 2)  begin
				// extremes first: the most negative and the most positive lane sums
				for (int k = 0; k < PE*SIMD; k++)  wgt[k*W +: W] = (done == 0)? {1'b1, {(W-1){1'b0}}} : {1'b0, {(W-1){1'b1}}};
				x = '1;
			end
			en = ($urandom() % 1000) >= STALL || done < 2;
			vld = ($urandom() % 1000) >= IDLE || done < 2;
			@(posedge clk);
			if (en) begin
				for (int k = LAT; k > 0; k--)  hist[k] = hist[k-1];
				if (vld)  last = reference(wgt, x);
				hist[0] = last;
				done++;
			end
			#1;
			if (done > LAT && part !== hist[LAT-1]) begin
				if (bad == 0)
					$display("FAIL: spike_dot PE=%0d SIMD=%0d TP=%0d W=%0d: after %0d enabled cycles part %h, expected %h",
						PE, SIMD, TP, W, done, part, hist[LAT-1]);
				bad++;
			end
		end
		if (bad == 0)  $display("PASS spike_dot PE=%0d SIMD=%0d TP=%0d W=%0d LAT=%0d levels=%0d (%0d parts)",
			PE, SIMD, TP, W, LAT, dut.NLV, N);
		else  $display("FAIL: %0d wrong parts", bad);
		$finish;
	end
endmodule : spike_dot_tb
