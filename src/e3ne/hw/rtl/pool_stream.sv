/******************************************************************************
 * @brief   Streaming pool unit (max or average) for kernel = stride, no padding.
 * @author  e3ne
 *
 * @description
 *  Replaces swu + pool_unit for the common pooling layer whose windows tile
 *  the map (K x K kernel, stride K, padding 0): it takes the layer's input
 *  stream directly and keeps one row of partial results instead of a
 *  multi-row line buffer.
 *
 *  Input: H x WD x C feature maps of unsigned T-bit activations, images back
 *  to back, raster order (row by row, left to right), each pixel's C channels
 *  as CF = C/CH beats of CH lanes, channel g*CH + j of beat g at
 *  idat[j*T +: T] (HWC, src/e3ne/hw/README.md). Input beat i of an image is
 *  pixel (y, x) = divmod(i / CF, WD), channel group g = i % CF.
 *
 *  Output: OH x OW pooled pixels, OH = floor(H/K), OW = floor(WD/K), raster
 *  order, each as CF beats of CH lanes in the same packing. Window (oy, ox)
 *  covers rows oy*K .. oy*K+K-1 and columns ox*K .. ox*K+K-1; the last
 *  H - OH*K rows and WD - OW*K columns of a map lie in no window (floor
 *  semantics, as PyTorch's ceil_mode=False) and are taken and dropped.
 *
 *  MODE = 0, max:  y_c = max over the KK = K*K taps of x_c, T-bit unsigned.
 *  MODE = 1, avg:  y_c = floor((S_c + floor(KK/2)) / KK), S_c = sum of the
 *      KK taps (DESIGN.md §2, docs/semantics.md); y_c <= 2^T-1 because
 *      N = S_c + floor(KK/2) <= NMAX = KK*(2^T-1) + floor(KK/2) < KK*2^T.
 *  Division by the constant KK by div_const.sv (adders only, no DSP; its
 *  header has the proof), exact for 0 <= N <= NMAX
 *  (tests/hw/test_pool_stream.py feeds sums covering [0, NMAX]).
 *
 *  Row memory: Mem[0 .. D-1], D = OW*CF words of CH*AW bits; word
 *  a = ox*CF + g holds, lane j at [j*AW +: AW], the partial result of
 *  channel g*CH + j of window ox of the current window row: the running max
 *  (AW = T) or the running sum plus floor(KK/2) (AW = clog2(NMAX+1), no
 *  wrap). The taps of window (oy, ox) arrive in (ky, kx) order, ky = y - oy*K,
 *  kx = x - ox*K, and each one does a read-modify-write of its word in the
 *  cycle it is taken (asynchronous read, so it is distributed RAM):
 *      base = (ky, kx) == (0, 0) ? INIT : Mem[a]   (INIT = floor(KK/2) avg, 0 max)
 *      nxt  = avg ? base + x : max(base, x)
 *      (ky, kx) == (K-1, K-1) ? output register <= (avg ? floor(nxt / KK) : nxt)
 *                             : Mem[a] <= nxt
 *  Between two taps of a window the word is touched by no other beat, so a
 *  tap reads what the previous tap of its window wrote, CF beats (same row)
 *  or WD*CF - (K-1)*CF beats (next row) earlier. (For K = 1 the memory is
 *  never read and synthesis drops it.) Counters, no division: group g,
 *  column x, row y, kx = x mod K, ky = y mod K, ABase = ox*CF (steps by CF,
 *  holds in uncovered columns), registered flags x < OW*K, y < OH*K,
 *  x = WD-1, y = H-1; the address a = ABase + g is combinational (a bit
 *  concatenation for a power-of-two CF), so Yosys does not fold an address
 *  register into the read port and duplicate its next-state logic.
 *
 *  Flow control and timing (the analytical cycle model must match this):
 *  the output is a one-beat register (OVld, ODat). A beat that is not a
 *  window's last tap (dropped beats included) is always taken; a last tap
 *  needs a free register:
 *      irdy = !(last tap) || !OVld || ordy
 *  so irdy depends combinationally on ordy through one OR gate, and on
 *  nothing else of the consumer (README rule 4; ordy drives no other path
 *  than irdy and the OVld/ODat enables). ovld/odat come from registers.
 *  Number the input beats of the stream i = 0, 1, ... (across images), let
 *  a[i] be the first edge at which beat i is offered, take[i] the edge it is
 *  transferred, and output beat k (image n, pixel (oy, ox), group g) depend
 *  on its last tap
 *      need(k) = n*H*WD*CF + ((oy*K + K-1)*WD + ox*K + K-1)*CF + g.
 *  Then, exactly (x[k] = edge at which output beat k is transferred):
 *      take[i]  = max(a[i], take[i-1] + 1,  i == need(k) ? x[k-1] : -inf)
 *      v[k]     = take[need(k)] + 1          (first edge with ovld high for beat k)
 *      x[k]     = first edge >= v[k] with ordy high.
 *  The input takes one beat per cycle, with no bubble between rows or
 *  images. With the consumer always ready x[k] = v[k], the third term never
 *  binds (need() strictly increases), and the stage is the max-plus
 *  recurrence  out[k] = max(in[need(k)] + 1, out[k-1] + 1),  in = take:
 *  each output beat leaves 1 cycle after its last-tap input beat (delay 1,
 *  gap 1), so first input to last output of one image takes
 *  need(last) + 2 cycles when the input comes one beat per cycle (the
 *  dropped beats after an image's last tap follow, one per cycle). A
 *  consumer that takes a beat only every R cycles (x[k] = max(v[k],
 *  x[k-1] + R)) makes the unit wait only at last taps (later beats queue
 *  behind a waiting one, in order): the last tap of beat k is taken no
 *  earlier than the edge at which beat k-1 leaves. The CF last taps of a
 *  window are consecutive beats, so they leave R apart; along the last row
 *  of a window row, each window after the first then costs, in steady state,
 *  max(K*CF, (K-1)*CF + 2 + (CF-2)*R, CF*R) cycles (CF = 1: max(K, R)):
 *  pool_unit's figure with its K*K taps per window replaced by K. The other
 *  K-1 input rows of a window row and the dropped rows have no last taps and
 *  flow at one beat per cycle. Only control state (counters, flags, OVld)
 *  is reset.
 *****************************************************************************/

module pool_stream #(
	parameter int T    = 4,  // bits per activation (time steps)
	parameter int C    = 8,  // channels
	parameter int CH   = 2,  // channels per beat, input and output; divides C
	parameter int K    = 2,  // kernel size = stride (K x K windows, no padding)
	parameter int H    = 8,  // input height, >= K
	parameter int WD   = 8,  // input width, >= K
	parameter int MODE = 0   // 0: max pooling, 1: average pooling
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Input Stream: the layer's input feature map, HWC
	output	logic  irdy,
	input	logic  ivld,
	input	logic [CH*T-1:0]  idat,

	// Output Stream: pooled pixels, HWC
	input	logic  ordy,
	output	logic  ovld,
	output	logic [CH*T-1:0]  odat
);

	//-------------------------------------------------------------------------
	// Derived constants (guarded so that an illegal set still elaborates far
	// enough to print the $error below)
	localparam int KP    = K > 0 ? K : 1;                      // guarded K
	localparam int KK    = KP * KP;                            // taps per window
	localparam int CF    = (CH > 0 && C % CH == 0) ? C / CH : 1;   // beats per pixel
	localparam int OH    = H >= KP ? H / KP : 1;               // output height
	localparam int OW    = WD >= KP ? WD / KP : 1;             // output width
	localparam int D     = OW * CF;                            // row memory words
	localparam int NMAX  = KK * (2**T - 1) + KK / 2;           // largest avg numerator
	localparam int AW    = MODE == 1 ? $clog2(NMAX + 1) : T;   // partial result bits
	localparam int INIT  = MODE == 1 ? KK / 2 : 0;             // partial result start
	localparam int IW    = D > 1 ? $clog2(D) : 1;              // word address bits
	localparam int XW    = WD > 1 ? $clog2(WD) : 1;            // column counter bits
	localparam int YW    = H > 1 ? $clog2(H) : 1;              // row counter bits
	localparam int KW    = KP > 1 ? $clog2(KP) : 1;            // kx/ky counter bits
	localparam int GW    = CF > 1 ? $clog2(CF) : 1;            // group counter bits
	localparam int LW    = CH * AW;                            // row memory word bits

	initial begin
		if (T < 1 || T > 16) begin
			$error("%m: T (%0d) must be in 1..16", T);
			$finish;
		end
		if (K < 1 || C < 1 || CH < 1) begin
			$error("%m: K (%0d), C (%0d) and CH (%0d) must be at least 1", K, C, CH);
			$finish;
		end
		if (C % CH != 0) begin
			$error("%m: CH (%0d) does not divide C (%0d)", CH, C);
			$finish;
		end
		if (H < K || WD < K) begin
			$error("%m: kernel K (%0d) exceeds the input %0d x %0d (H x WD)", K, H, WD);
			$finish;
		end
		if (MODE != 0 && MODE != 1) begin
			$error("%m: MODE (%0d) must be 0 (max) or 1 (avg)", MODE);
			$finish;
		end
	end

	//-------------------------------------------------------------------------
	// Control: position of the current input beat
	logic [GW-1:0]  G;      // channel group, 0..CF-1
	logic [XW-1:0]  X;      // column, 0..WD-1
	logic [YW-1:0]  Y;      // row, 0..H-1
	logic [KW-1:0]  KX;     // X mod K
	logic [KW-1:0]  KY;     // Y mod K
	logic [IW-1:0]  Addr;   // word of the current beat, ox*CF + g (while covered)
	logic [IW-1:0]  ABase;  // ox*CF
	logic  XIn, YIn;        // X < OW*K, Y < OH*K: the column / row lies in a window
	logic  XLast, YLast;    // X == WD-1, Y == H-1
	logic  OVld;

	wire  cov  = XIn && YIn;                 // the beat is a tap (else dropped)
	wire  kxl  = KX == KW'(KP-1);
	wire  kyl  = KY == KW'(KP-1);
	wire  fst  = (KX == '0) && (KY == '0);   // first tap of its window
	wire  lst  = kxl && kyl;                 // last tap of its window
	wire  gl   = G == GW'(CF-1);             // last group of its pixel
	wire  emit = cov && lst;
	wire  take = ivld && irdy;

	assign	irdy = !emit || !OVld || ordy;

	// position counters; the flags are registered so that the address logic
	// does not see the column and row comparisons
	always_ff @(posedge clk) begin
		if (rst) begin
			G     <= '0;
			X     <= '0;
			Y     <= '0;
			KX    <= '0;
			KY    <= '0;
			XIn   <= 1;
			YIn   <= 1;
			XLast <= WD == 1;
			YLast <= H == 1;
		end
		else if (take) begin
			if (!gl)  G <= G + 1'b1;
			else begin
				G <= '0;
				if (XLast) begin
					// end of row
					X     <= '0;
					KX    <= '0;
					XIn   <= 1;
					XLast <= WD == 1;
					if (YLast) begin
						// end of image
						Y     <= '0;
						KY    <= '0;
						YIn   <= 1;
						YLast <= H == 1;
					end
					else begin
						Y     <= Y + 1'b1;
						KY    <= kyl ? '0 : KY + 1'b1;
						YIn   <= YIn && Y != YW'(OH*KP - 1);   // Y + 1 < OH*K
						YLast <= Y == YW'(H >= 2 ? H - 2 : 0);  // Y + 1 == H - 1
					end
				end
				else begin
					X     <= X + 1'b1;
					KX    <= kxl ? '0 : KX + 1'b1;
					XIn   <= XIn && X != XW'(OW*KP - 1);    // X + 1 < OW*K
					XLast <= X == XW'(WD >= 2 ? WD - 2 : 0);  // X + 1 == WD - 1
				end
			end
		end
	end

	// word address ox*CF + g: ABase = ox*CF steps by CF from window to window
	// of a row (it holds in the uncovered columns, restarts at 0 with a row;
	// the wrap after the last window only keeps the address of the dropped
	// beats that follow it in range)
	wire [IW-1:0]  bnext = (ABase == IW'((OW-1)*CF)) ? '0 : ABase + IW'(CF);
	always_ff @(posedge clk) begin
		if (rst)  ABase <= '0;
		else if (take && gl) begin
			if (XLast)            ABase <= '0;
			else if (XIn && kxl)  ABase <= bnext;
		end
	end
	if (CF == 1) begin : genOneGroup
		assign	Addr = ABase;
	end : genOneGroup
	else if (OW == 1) begin : genOneWindow
		assign	Addr = IW'(G);
		wire  unused = &{1'b0, ABase};
	end : genOneWindow
	else if ((CF & (CF - 1)) == 0) begin : genPow2Groups
		// ABase is a multiple of CF = 2^GW
		assign	Addr = {ABase[IW-1:GW], G};
		wire  unused = &{1'b0, ABase[GW-1:0]};
	end : genPow2Groups
	else begin : genGroups
		assign	Addr = ABase + IW'(G);
	end : genGroups

	always_ff @(posedge clk) begin
		if (rst)                  OVld <= 0;
		else if (take && emit)    OVld <= 1;
		else if (ordy)            OVld <= 0;
	end

	//-------------------------------------------------------------------------
	// Datapath: row memory read-modify-write, output register
	(* ram_style = "distributed" *)
	logic [LW-1:0]  Mem [0:D-1];
	logic [LW-1:0]  rd;
	logic [LW-1:0]  nxt;
	logic [CH*T-1:0]  res;
	logic [CH*T-1:0]  ODat;

	assign	rd = Mem[Addr];

	for (genvar j = 0; j < CH; j++) begin : genLane
		wire [T-1:0]    x   = idat[j*T +: T];
		wire [AW-1:0]   acc = rd[j*AW +: AW];

		if (MODE == 1) begin : genAvg
			assign	nxt[j*AW +: AW] = (fst ? AW'(INIT) : acc) + AW'(x);

			wire [AW-1:0]   num = nxt[j*AW +: AW];
			div_const #(.NMAX(NMAX), .D(KK), .QW(T)) u_div (.n(num), .q(res[j*T +: T]));
		end : genAvg
		else begin : genMax
			// max(0, x) = x at the first tap
			assign	nxt[j*AW +: AW] = (fst || (AW'(x) > acc)) ? AW'(x) : acc;
			assign	res[j*T +: T] = nxt[j*AW +: T];
		end : genMax
	end : genLane

	always_ff @(posedge clk) begin
		if (take && cov && !lst)  Mem[Addr] <= nxt;
	end
	always_ff @(posedge clk) begin
		if (take && emit)  ODat <= res;
	end

	assign	ovld = OVld;
	assign	odat = ODat;

endmodule : pool_stream
